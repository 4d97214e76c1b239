import FalCore
import FalEmulator
import Foundation

/// Starts an emulator on a free 127.0.0.1 port for the duration of one test.
enum EmulatorFixture {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemas = repositoryRoot.appendingPathComponent("schemas")

    static let illusion = "fal-ai/illusion-diffusion"
    static let illusionInput: JSONValue = ["prompt": "a castle", "image_url": "https://example.com/pattern.png"]

    static func configuration(
        controls: EmulatorControls = .immediate, apiKey: String? = nil, schemas: URL = EmulatorFixture.schemas,
        customize: (inout FalEmulator.Configuration) -> Void = { _ in }
    ) -> FalEmulator.Configuration {
        var configuration = FalEmulator.Configuration(host: "127.0.0.1", port: 0, apiKey: apiKey, schemasDirectory: schemas, controls: controls)
        customize(&configuration)
        return configuration
    }

    /// Runs `body` with a started emulator and its base URL string, then stops it.
    static func with<T>(
        _ configuration: FalEmulator.Configuration = configuration(),
        _ body: (FalEmulator, String) async throws -> T
    ) async throws -> T {
        let emulator = try FalEmulator(configuration: configuration)
        let base = try await emulator.start().absoluteString
        do {
            let value = try await body(emulator, base)
            await emulator.stop()
            return value
        } catch {
            await emulator.stop()
            throw error
        }
    }

    /// Submits to the queue and returns the submit answer's JSON.
    static func submit(_ base: String, endpoint: String = illusion, input: JSONValue = illusionInput, headers: [String: String] = [:]) async throws -> JSONValue {
        let answer = try await TestHTTP.json("POST", "\(base)/queue/\(endpoint)", input, headers: headers)
        guard answer.status == 200, let json = answer.json else {
            throw FixtureError("submit answered \(answer.status): \(answer.text)")
        }
        return json
    }

    /// Polls `status_url` until COMPLETED (bounded), returning every status seen.
    static func pollUntilCompleted(_ submitted: JSONValue, logs: String? = nil, limit: Int = 400) async throws -> [JSONValue] {
        var seen: [JSONValue] = []
        let url = submitted["status_url"]!.stringValue! + (logs.map { "?logs=\($0)" } ?? "")
        for _ in 0..<limit {
            let status = try await TestHTTP.send("GET", url)
            guard let json = status.json else { throw FixtureError("status answered \(status.status): \(status.text)") }
            seen.append(json)
            if json["status"] == "COMPLETED" { return seen }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FixtureError("request did not complete within \(limit) polls")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
