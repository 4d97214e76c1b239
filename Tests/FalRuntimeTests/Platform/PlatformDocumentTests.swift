import FalCore
import Foundation
import Synchronization
import Testing
@testable import FalRuntime

/// `fal.platform` checked against fal's own document of the Platform API (`schemas/platform/openapi.json`, a copy of
/// `../shared/fal-platform-api/openapi.json`): every Models operation is called with every parameter set, through a
/// transport that records the request and answers a body built from the document's response schema with every
/// property filled. The request must use the document's method, path and parameter names (arrays repeated, the key
/// in `Authorization: Key`), and the decoded answer, encoded again, must be that body exactly: a property the client
/// does not model, or models under another name or type, fails.
@Suite struct PlatformDocumentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let documentURL = root.appendingPathComponent("schemas/platform/openapi.json")

    /// Parsed once: the document is 1.3 MB, and parsing it for every test and argument (synchronous work on the
    /// shared cooperative pool) held up every other suite of the process for about 16 s, failing their time bounds.
    private static let parsedDocument = Result { try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: documentURL)) }
    private static let parsedOperations = Result { try modelsOperations() }

    static func document() throws -> JSONValue { try parsedDocument.get() }

    /// The document's Models operations: (operationId, method, path, operation).
    static func operations() throws -> [(id: String, method: String, path: String, operation: JSONValue)] {
        try parsedOperations.get()
    }

    private static func modelsOperations() throws -> [(id: String, method: String, path: String, operation: JSONValue)] {
        var result: [(String, String, String, JSONValue)] = []
        for (path, item) in try document()["paths"]!.objectValue! {
            for (method, operation) in item.objectValue! where ["get", "post", "put", "patch", "delete"].contains(method) {
                guard operation["tags"]?.arrayValue?.contains("Models") == true else { continue }
                result.append((operation["operationId"]!.stringValue!, method.uppercased(), path, operation))
            }
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// Each operation called with every parameter it has; the answer returned encoded as JSON.
    static let calls: [String: @Sendable (FalPlatform) async throws -> Data] = [
        "getModels": { try encode(await $0.modelsPage(
            endpointIDs: ["fal-ai/flux/dev", "fal-ai/flux-pro"], search: "flux", category: "text-to-image", status: .active,
            expand: ["openapi-3.0", "enterprise_status"], limit: 5, cursor: "Mg==")) },
        "getPricing": { try encode(await $0.pricing(endpointIDs: ["fal-ai/flux/dev", "fal-ai/flux-pro"])) },
        "estimatePricing": { try encode(await $0.estimatePricing(.unitPrice(.init(endpoints: ["fal-ai/flux/dev": .init(unitQuantity: 3)])))) },
        "getUsage": { try encode(await $0.usagePage(
            start: "2025-01-01", end: "2025-02-01T00:00:00Z", timezone: "UTC", timeframe: .day, boundToTimeframe: false,
            endpointIDs: ["fal-ai/flux/dev", "fal-ai/flux-pro"], apiKeyIDs: ["k1", "k2"], loginUsernames: ["u1", "u2"],
            expand: ["time_series", "summary"], limit: 5, cursor: "Mg==")) },
        "getAnalytics": { try encode(await $0.analyticsPage(
            endpointIDs: ["fal-ai/flux/dev", "fal-ai/flux-pro"], start: "2025-01-01", end: "2025-02-01", timezone: "UTC", timeframe: .hour,
            boundToTimeframe: true, expand: ["time_series", "summary"], limit: 5, cursor: "Mg==")) },
        "getBillingEvents": { try encode(await $0.billingEventsPage(
            start: "2025-01-01", end: "2025-02-01", endpointIDs: ["fal-ai/flux/dev", "fal-ai/flux-pro"], requestIDs: ["r1", "r2"],
            apiKeyIDs: ["k1", "k2"], loginUsernames: ["u1", "u2"], expand: ["auth_method", "auth_method_structured"], limit: 5, cursor: "Mg==")) },
        "listRequestsByEndpoint": { try encode(await $0.requestsByEndpointPage(
            endpointIDs: ["fal-ai/flux/dev", "fal-ai/flux-pro"], start: "2025-01-01", end: "2025-02-01", status: .success,
            requestID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", expand: ["payloads", "payloads"], sortBy: .duration, limit: 20, cursor: "Mg==")) },
        "searchRequests": { try encode(await $0.searchRequestsPage(
            text: "sunset", imageURL: "https://example.com/a.png", videoURL: "https://example.com/a.mp4",
            endpointIDs: ["fal-ai/flux/dev", "fal-ai/flux-pro"], endpoint: "fal-ai/flux/dev", excludeAPIRequests: true, onlyAPIRequests: false,
            minSimilarity: 0.5, limit: 5, cursor: "Mg==")) },
        "deleteRequestPayloads": { try encode(await $0.deleteRequestPayloads(
            requestID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", idempotencyKey: "550e8400-e29b-41d4-a716-446655440000")) },
    ]

    static func encode(_ value: some Encodable) throws -> Data { try JSONEncoder().encode(value) }

    @Test func theCopyIsFalsDocument() throws {
        let shared = Self.root.deletingLastPathComponent().appendingPathComponent("shared/fal-platform-api/openapi.json")
        guard FileManager.default.fileExists(atPath: shared.path) else { return }  // the copy is what the build uses
        #expect(try Data(contentsOf: shared) == Data(contentsOf: Self.documentURL), "schemas/platform/openapi.json differs from \(shared.path)")
    }

    @Test func everyModelsOperationHasAClientMethod() throws {
        let ids = try Self.operations().map(\.id)
        #expect(ids.count == 9)
        #expect(Set(ids) == Set(Self.calls.keys), "the document's Models operations and the client's differ")
    }

    @Test(arguments: try PlatformDocumentTests.operations().map(\.id))
    func clientMatchesTheDocument(_ id: String) async throws {
        let (_, method, path, operation) = try #require(try Self.operations().first { $0.id == id })
        let schema = try #require(operation["responses"]?["200"]?["content"]?["application/json"]?["schema"])
        let body = Self.sample(schema)
        let transport = RecordingTransport(answer: try JSONEncoder().encode(body))
        let fal = FalClient(configuration: FalConfiguration(key: "document-test-key", hosts: .emulator("http://127.0.0.1:9")), transport: transport)
        let call = try #require(Self.calls[id])
        let answer = try await call(fal.platform)

        // The answer: every property of the document's schema, under its name, with its value.
        let decoded = try JSONDecoder().decode(JSONValue.self, from: answer)
        #expect(decoded == body, "\(id): the decoded answer, encoded again, differs from the document's shape")

        // The request: method, path, every parameter under its documented name, arrays repeated.
        let request = try #require(transport.requests.first)
        #expect(transport.requests.count == 1)
        #expect(request.method == method)
        let url = try #require(URLComponents(string: request.url))
        let template = "/v1" + path
        let pattern = "^" + template.replacingOccurrences(of: "{request_id}", with: "[^/]+") + "$"
        #expect(url.path.range(of: pattern, options: .regularExpression) != nil, "\(url.path) is not \(template)")
        let parameters = operation["parameters"]?.arrayValue ?? []
        let documentedQuery = Set(parameters.filter { $0["in"] == "query" }.compactMap { $0["name"]?.stringValue })
        let sentQuery = url.queryItems ?? []
        #expect(Set(sentQuery.map(\.name)) == documentedQuery, "\(id): query names differ from the document's")
        for parameter in parameters where parameter["in"] == "query" && parameter["schema"]?["anyOf"]?.arrayValue?.last?["type"] == "array" {
            let name = parameter["name"]!.stringValue!
            #expect(sentQuery.filter { $0.name == name }.count == 2, "\(id): \(name) is not sent as a repeated key")
        }
        for parameter in parameters where parameter["in"] == "header" {
            #expect(request.headers[parameter["name"]!.stringValue!] != nil, "\(id): header \(parameter["name"]!) not sent")
        }
        #expect(request.headers["Authorization"] == "Key document-test-key")
        if let requestSchema = operation["requestBody"]?["content"]?["application/json"]?["schema"] {
            guard case .data(let sent) = request.body else { Issue.record("\(id): no body sent"); return }
            let json = try JSONDecoder().decode(JSONValue.self, from: sent)
            let alternatives = requestSchema["oneOf"]?.arrayValue ?? [requestSchema]
            // The body is one of the documented alternatives, with exactly its properties.
            #expect(alternatives.contains { alternative in
                let properties = Set(alternative["properties"]?.objectValue?.keys.map { $0 } ?? [])
                return Set(json.objectValue?.keys.map { $0 } ?? []) == properties
                    && alternative["properties"]?["estimate_type"]?["enum"]?.arrayValue?.first == json["estimate_type"]
            }, "\(id): body \(json) matches no documented alternative")
        }
    }

    /// A value for `schema` with every property present and non-null: the first alternative of a union, the first
    /// value of an enum, one item per array, one member per map.
    static func sample(_ schema: JSONValue) -> JSONValue {
        if let alternatives = (schema["anyOf"] ?? schema["oneOf"])?.arrayValue, let first = alternatives.first { return sample(first) }
        if let first = schema["enum"]?.arrayValue?.first { return first }
        let type = schema["type"]?.stringValue ?? schema["type"]?.arrayValue?.compactMap(\.stringValue).first { $0 != "null" }
        switch type {
        case "string": return schema["format"] == "date-time" ? "2025-01-01T00:00:00Z" : "text"
        case "integer": return 3
        case "number": return 0.5
        case "boolean": return true
        case "array": return [sample(schema["items"] ?? [:])]
        case "object":
            if let properties = schema["properties"]?.objectValue, !properties.isEmpty { return .object(properties.mapValues(sample)) }
            if let values = schema["additionalProperties"], values.objectValue != nil { return ["key": sample(values)] }
            return ["any": "value"]
        default:
            return ["any": "value"]
        }
    }
}

/// Answers every request with `answer` (200, JSON) and keeps the requests.
final class RecordingTransport: Transport {
    let answer: Data
    private let recorded = Mutex<[HTTPRequest]>([])

    init(answer: Data) { self.answer = answer }

    var requests: [HTTPRequest] { recorded.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        recorded.withLock { $0.append(request) }
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: answer)
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        throw TransportFailure(kind: .other, code: 0, message: "no streams here")
    }
}
