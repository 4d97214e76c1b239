import Foundation
import Testing
@testable import FalCodegen

/// The `fal-codegen` contract as users and CI call it: exit codes, `--check`, diagnostics, `fetch`.
@Suite(.serialized) struct CommandLineTests {
    /// The executable built next to this test bundle (`swift build --build-tests` builds it too).
    static var executable: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("fal-codegen").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Repository.path(".build/debug/fal-codegen")
    }

    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = Repository.root
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self), errors: String(decoding: errData, as: UTF8.self))
    }

    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fal-codegen-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func checkReportsChangesThenPassesAfterGenerate() throws {
        let output = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: output) }
        try Data("stale".utf8).write(to: URL(fileURLWithPath: output + "/Old.swift"))
        let before = try Self.run(["generate", "--check", "--overlays", "schemas/overlays", "--output", output, "schemas"])
        #expect(before.status == 1)
        #expect(before.output.contains("would create: \(output)/IllusionDiffusion.swift"))
        #expect(before.output.contains("would delete: \(output)/Old.swift"))
        #expect(FileManager.default.fileExists(atPath: output + "/Old.swift"), "--check writes nothing")
        let generate = try Self.run(["generate", "--overlays", "schemas/overlays", "--output", output, "schemas"])
        #expect(generate.status == 0, "\(generate.errors)")
        let after = try Self.run(["generate", "--check", "--overlays", "schemas/overlays", "--output", output, "schemas"])
        #expect(after.status == 0)
        let golden = try String(contentsOfFile: Repository.path("Generated/FalSDK/IllusionDiffusion.swift"), encoding: .utf8)
        #expect(try String(contentsOfFile: output + "/IllusionDiffusion.swift", encoding: .utf8) == golden)
    }

    @Test func invalidDocumentIsAnErrorNamingFileAndPath() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(#"{"openapi":"3.0.4","info":{"title":"t","version":"1"},"paths":{"/x":{"post":{"requestBody":"nope","responses":{}}}}}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/bad.json"))
        let result = try Self.run(["generate", "--output", directory + "/out", directory + "/bad.json"])
        #expect(result.status == 1)
        #expect(result.errors.hasPrefix("error: \(directory)/bad.json at $.paths"), "\(result.errors)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/out"))
    }

    @Test func unsupportedConstructIsAWarningAndTheRestIsGenerated() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let document = ParserTests.document(input: #"{"type":"object","properties":{"a":{"type":"string","not":{"const":"x"}},"b":{"type":"integer"}}}"#)
        try Data(document.utf8).write(to: URL(fileURLWithPath: directory + "/doc.json"))
        let result = try Self.run(["generate", "--output", directory + "/out", directory + "/doc.json"])
        #expect(result.status == 0)
        #expect(result.errors.contains("warning: \(directory)/doc.json at $.components.schemas.Input.properties.a.not: `not` is not enforced"))
        #expect(try String(contentsOfFile: directory + "/out/TestDoc.swift", encoding: .utf8).contains("public var b: Int?"))
    }

    /// A local stand-in for fal.ai: Python's static file handler on 127.0.0.1 serving `directory` (it ignores the
    /// query string), answering `requests` requests and giving up after 30 s, so nothing outlives the test.
    final class StaticServer {
        let port = Int.random(in: 20000..<60000)
        private let process = Process()

        init(serving directory: String, requests: Int = 1) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            let script = """
                import functools, http.server, sys
                handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
                server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), handler)
                server.timeout = 30
                for _ in range(int(sys.argv[3])): server.handle_request()
                """
            process.arguments = ["python3", "-c", script, String(port), directory, String(requests)]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        var baseURL: String { "http://127.0.0.1:\(port)" }

        /// Runs `arguments` until the server answers (bounded: 50 tries, 0.1 s apart).
        func run(_ arguments: [String], until accepted: (Run) -> Bool) throws -> Run {
            var result = Run(status: -1, output: "", errors: "")
            for _ in 0..<50 {
                result = try CommandLineTests.run(arguments)
                if accepted(result) { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return result
        }

        deinit {
            if process.isRunning { process.interrupt() }
            process.waitUntilExit()
        }
    }

    /// Serves `document` where fal serves per-endpoint documents.
    private func serve(_ document: Data) throws -> (directory: String, server: StaticServer) {
        let served = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: served + "/api/openapi/queue", withIntermediateDirectories: true)
        try document.write(to: URL(fileURLWithPath: served + "/api/openapi/queue/openapi.json"))
        return (served, try StaticServer(serving: served))
    }

    @Test func fetchStoresNormalizedDocuments() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: Repository.path("schemas/fal-ai__illusion-diffusion.json")))
        let (served, server) = try serve(original)
        defer { try? FileManager.default.removeItem(atPath: served) }
        let result = try server.run(["fetch", "fal-ai/illusion-diffusion", "--base-url", server.baseURL, "--into", served + "/out"]) { $0.status == 0 }
        #expect(result.status == 0, "\(result.errors)")
        let stored = try String(contentsOfFile: served + "/out/fal-ai__illusion-diffusion.json", encoding: .utf8)
        // fal's member order is kept (it is the order of properties without x-fal-order-properties), 2-space indent.
        #expect(stored.hasPrefix("{\n  \"openapi\": \"3.0.4\",\n  \"info\": {"))
        #expect(stored.hasSuffix("}\n"))
        let parsedOriginal = try JSONSerialization.jsonObject(with: original) as? NSDictionary
        let roundTripped = try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? NSDictionary
        #expect(parsedOriginal == roundTripped)
    }

    @Test func updateRewritesRegeneratesAndReportsBreakingChanges() throws {
        let workspace = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let documents = workspace + "/schemas"
        try FileManager.default.createDirectory(atPath: documents, withIntermediateDirectories: true)
        let original = try String(contentsOfFile: Repository.path("schemas/fal-ai__illusion-diffusion.json"), encoding: .utf8)
        try original.write(toFile: documents + "/illusion.json", atomically: false, encoding: .utf8)
        // fal's newer version: guidance_scale's maximum lowered (breaking), a new optional field (additive).
        let maximum = #""maximum": 50"#
        try #require(original.components(separatedBy: maximum).count == 2)
        let newer = original
            .replacingOccurrences(of: maximum, with: #""maximum": 20"#)
            .replacingOccurrences(of: #""prompt": {"#, with: #""sync_mode": {"type": "boolean", "title": "Sync Mode"}, "prompt": {"#)
        let (served, server) = try serve(Data(newer.utf8))
        defer { try? FileManager.default.removeItem(atPath: served) }
        let result = try server.run(["update", documents, "--base-url", server.baseURL, "--format", "json", "--fail-on-breaking",
                                     "--output", workspace + "/Generated"]) { $0.status != 2 }
        #expect(result.status == 1, "breaking change under --fail-on-breaking: \(result.errors)")
        let report = try JSONDecoder().decode(ChangeReport.self, from: Data(result.output.utf8))
        let changes = report.allChanges.map { "\($0.kind.rawValue) \($0.side.rawValue) \($0.path)" }
        #expect(changes.contains("breaking input guidance_scale"), "\(changes)")
        #expect(changes.contains("additive input sync_mode"), "\(changes)")
        #expect(report.endpoints.map(\.id) == ["fal-ai/illusion-diffusion"], "the id comes from the document, not its file name")
        let stored = try String(contentsOfFile: documents + "/illusion.json", encoding: .utf8)
        #expect(stored.contains(#""maximum": 20"#) && stored.contains("sync_mode"), "the document is rewritten")
        let generated = try String(contentsOfFile: workspace + "/Generated/IllusionDiffusion.swift", encoding: .utf8)
        #expect(generated.contains("public var syncMode: Bool?"), "and regenerated")
    }

    @Test func updateReportsAnEndpointFalNoLongerServesAsRemoved() throws {
        let workspace = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try FileManager.default.copyItem(atPath: Repository.path("schemas/fal-ai__illusion-diffusion.json"), toPath: workspace + "/illusion.json")
        let server = try StaticServer(serving: workspace + "/nothing-here")  // every path is a 404
        let result = try server.run(["update", workspace, "--base-url", server.baseURL]) { $0.status != 2 }
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("breaking endpoint (endpoint)  [IllusionDiffusion]"), "\(result.output)")
        #expect(FileManager.default.fileExists(atPath: workspace + "/illusion.json"), "the file is left in place")
    }

    @Test func diffExitCodesAndFormats() throws {
        let folder = Repository.path("Tests/Fixtures/diff/legacy")
        let additive = try Self.run(["diff", "--fail-on-breaking", "\(folder)/fal-ai__flux-lora.legacy.json", "\(folder)/fal-ai__flux-lora.json"])
        #expect(additive.status == 0, "additive only: \(additive.errors)")
        #expect(additive.output.contains("additive input    acceleration  [FluxLora.Input.acceleration]"), "\(additive.output)")
        let breaking = ["diff", "\(folder)/fal-ai__flux-pro__v1.1.legacy.json", "\(folder)/fal-ai__flux-pro__v1.1.json"]
        #expect(try Self.run(breaking).status == 0, "breaking without --fail-on-breaking")
        let failing = try Self.run(breaking + ["--fail-on-breaking", "--format", "json"])
        #expect(failing.status == 1)
        #expect(try JSONDecoder().decode(ChangeReport.self, from: Data(failing.output.utf8)).hasBreakingChanges)
        let missing = try Self.run(["diff", "\(folder)/absent.json", "\(folder)/fal-ai__flux-lora.json"])
        #expect(missing.status == 2 && missing.errors.contains("absent.json"), "unusable input: \(missing.errors)")
        let invalid = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: invalid) }
        try Data("{\"openapi\": 3}".utf8).write(to: URL(fileURLWithPath: invalid + "/bad.json"))
        let broken = try Self.run(["diff", invalid + "/bad.json", "\(folder)/fal-ai__flux-lora.json"])
        #expect(broken.status == 2 && broken.errors.contains("bad.json at $.openapi"), "\(broken.errors)")
    }
}
