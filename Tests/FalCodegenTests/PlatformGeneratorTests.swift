import Foundation
import Testing
@testable import FalCodegen

/// `fal-codegen platform`: the committed Platform API client is what the generator makes of fal's document, and the
/// generator's naming and failures are what a reader of the generated code expects.
@Suite struct PlatformGeneratorTests {
    static let document = "schemas/platform/openapi.json"
    static let output = "Runtime/FalRuntime/Platform/Generated"

    static func generate(_ tag: String = "Models", text: String? = nil) throws -> [GeneratedFile] {
        let bytes = try text.map { Array($0.utf8) } ?? Array(Data(contentsOf: URL(fileURLWithPath: Repository.path(document))))
        return try PlatformGenerator.generate(document: bytes, file: document, tag: tag)
    }

    @Test func committedClientMatchesTheDocument() throws {
        let files = try Self.generate()
        let directory = Repository.path(Self.output)
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(onDisk == files.map(\.name))
        #expect(files.count == 9)
        for file in files {
            let existing = try String(contentsOfFile: "\(directory)/\(file.name)", encoding: .utf8)
            #expect(existing == file.contents, "\(Self.output)/\(file.name) is stale: run `make generate`")
        }
        #expect(try Self.generate() == files)  // deterministic
    }

    @Test func swiftNamesFollowTheConventions() throws {
        let models = try #require(try Self.generate().first { $0.name == "FalPlatform+Models.swift" }).contents
        #expect(models.contains("public func models(\n        endpointIDs: [String]? = nil,\n        search: String? = nil,"))
        #expect(models.contains("public var endpointID: String"))
        #expect(models.contains("case endpointID = \"endpoint_id\""))
        #expect(models.contains("public var thumbnailURL: String"))
        #expect(models.contains("public static let `private` = LicenseType(rawValue: \"private\")"))
        #expect(models.contains("/// Stable identifier used to call the model"))
        #expect(models.contains("-> FalPlatformItems<Models.Response, Models.Model>"))
        let deletion = try #require(try Self.generate().first { $0.name == "FalPlatform+DeleteRequestPayloads.swift" }).contents
        #expect(deletion.contains("public var cdnDeleteResults: [CDNDeleteResult]"))
        #expect(deletion.contains("\"/models/requests/\\(PlatformQuery.pathSegment(requestID))/payloads\""))
        #expect(deletion.contains("headers.append((\"Idempotency-Key\", idempotencyKey))"))
        #expect(PlatformNaming.method("getBillingEvents") == "billingEvents")
        #expect(PlatformNaming.method("listRequestsByEndpoint") == "requestsByEndpoint")
        #expect(PlatformNaming.parameter("api_key_id", plural: true) == "apiKeyIDs")
        #expect(PlatformNaming.parameter("expand", plural: true) == "expand")
        #expect(PlatformNaming.singular("time_series") == "time_series" && PlatformNaming.singular("prices") == "price")
    }

    @Test func otherGroupsGenerateToo() throws {
        // Building the rest of the API later is a tag away: every group of the document generates.
        for tag in ["Workflows", "Assets", "Storage", "Serverless", "Compute", "Keys", "Account", "Organization", "Meta"] {
            let files = try Self.generate(tag)
            #expect(!files.isEmpty, "\(tag)")
        }
    }

    @Test func badInputNamesTheProblem() throws {
        #expect(throws: CodegenError.self) { try Self.generate("NoSuchTag") }
        do { _ = try Self.generate("NoSuchTag") } catch let error as CodegenError {
            #expect(error.description.contains("no operation is tagged \"NoSuchTag\""))
        }
        let broken = #"{"openapi": "3.1.0", "paths": {"/x": {"get": {"tags": ["Models"], "responses": {}}}}}"#
        do { _ = try Self.generate(text: broken); Issue.record("accepted an operation without operationId") } catch let error as CodegenError {
            #expect(error.path == "$.paths[\"/x\"].get" && error.message == "operationId is missing")
        }
    }
}
