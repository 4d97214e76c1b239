import Foundation
@testable import FalRuntime

/// The fake fal server (Fixtures/fake_fal.py), started once per test process on 127.0.0.1.
enum FakeFal {
    static let key = "test-key"

    static let baseURL: String = {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fake_fal.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        var environment = ProcessInfo.processInfo.environment
        environment["FAKE_FAL_KEY"] = key
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        do { try process.run() } catch { fatalError("cannot start fake fal server: \(error)") }
        var line = Data()
        let handle = output.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = handle.availableData
            if chunk.isEmpty { fatalError("fake fal server exited before listening") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://") else { fatalError("unexpected fake fal banner: \(text)") }
        return String(text[range.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    static func configuration(
        retry: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(5), maxDelay: .milliseconds(50)),
        statusUpdates: FalConfiguration.StatusUpdateMode = .streamWithPollingFallback,
        requestTimeout: Duration = .seconds(20)
    ) -> FalConfiguration {
        FalConfiguration(
            credentials: FalCredentials(key: key), hosts: .emulator(baseURL), retry: retry, requestTimeout: requestTimeout,
            connectTimeout: .seconds(5), pollInterval: .milliseconds(20), statusUpdates: statusUpdates)
    }

    static func client(_ configuration: FalConfiguration = configuration()) -> FalClient {
        FalClient(configuration: configuration)
    }

    struct LogEntry: Decodable {
        var method: String
        var path: String
        var auth: String?
        var has_key: Bool
        var fault_id: String?
        var target: String?
        var headers: [String: String]
    }

    static func log() async throws -> [LogEntry] {
        let response = try await HTTPTransport().send(HTTPRequest(method: "GET", url: baseURL + "/__/log"))
        return try JSONDecoder().decode([LogEntry].self, from: response.body)
    }

    static func control(_ path: String, _ body: JSONValue) async throws -> JSONValue {
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        let data = try JSONEncoder().encode(body)
        let response = try await HTTPTransport().send(HTTPRequest(method: "POST", url: baseURL + "/__/" + path, headers: headers, body: .data(data)))
        return try JSONDecoder().decode(JSONValue.self, from: response.body)
    }

    /// The webhook delivery the fake received for `requestID` at `/hook`, if any.
    static func hook(requestID: String) async throws -> (headers: [String: String], body: Data)? {
        for delivery in try await control("hooks", .object([:])).arrayValue ?? [] {
            guard let body = delivery["body"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
                  (try? JSONDecoder().decode(JSONValue.self, from: body))?["request_id"]?.stringValue == requestID
            else { continue }
            let fields: [String: JSONValue] = delivery["headers"]?.objectValue ?? [:]
            let headers = fields.compactMapValues { $0.stringValue }
            return (headers, body)
        }
        return nil
    }

    static func file(_ url: String) async throws -> JSONValue {
        let id = url.split(separator: "/").last.map(String.init) ?? ""
        return try await control("files/\(id)", .object([:]))
    }

    /// Options that tag a request with a fault and a unique id, so the log shows only this test's attempts.
    static func fault(_ fault: String?, latency: Double? = nil) -> (RequestOptions, String) {
        let id = UUID().uuidString
        var headers = ["X-Test-Fault-Id": id]
        if let fault { headers["X-Test-Fault"] = fault }
        if let latency { headers["X-Test-Latency"] = String(latency) }
        return (RequestOptions(headers: headers), id)
    }
}

/// A stand-in endpoint with the shape of fal's image endpoints.
enum TestModel: FalEndpoint {
    static let id = "fal-ai/test-model"

    struct Input: FalInput {
        var prompt: String
        var imageURL: FalFile?
        var maskURL: FalFile?
        var seed: Int?

        enum CodingKeys: String, CodingKey { case prompt, imageURL = "image_url", maskURL = "mask_url", seed }

        func validate(at path: FieldPath, into issues: inout [ValidationIssue]) {
            if prompt.isEmpty { issues.append(ValidationIssue(path: path.key("prompt"), message: "must not be empty")) }
            if let seed, seed < 0 { issues.append(ValidationIssue(path: path.key("seed"), message: "\(seed) is less than minimum 0")) }
        }
    }

    struct Image: Decodable, Sendable, Equatable {
        var url: String
        var width: Int?
        var height: Int?
    }

    struct Output: FalOutput, Equatable {
        var images: [Image]
        var seed: Int
        var prompt: String?
    }
}

/// Output that also exposes what the fake server received.
struct EchoOutput: Decodable, Sendable {
    var echo: JSONValue
}

/// Collects values from `@Sendable` callbacks.
final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}

import Synchronization
