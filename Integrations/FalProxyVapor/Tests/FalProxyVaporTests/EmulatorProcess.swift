import FalRuntime
import Foundation

/// The main package's `fal-emulator`, run as a child process. This package does not link `FalEmulator`: that
/// would compile the generator, OpenAPIKit and Hummingbird a second time in this package's cold build, beside
/// Vapor's. `make vapor-proxy` builds the binary and passes it in `FAL_EMULATOR`.
final class EmulatorProcess: Sendable {
    struct LoggedRequest: Sendable {
        var operation: String?
        var status: Int
    }

    let baseURL: String
    private let key: String
    private let process: Process

    /// Starts the emulator on 127.0.0.1 and a free port; throws when it has not said where it listens within 60 s.
    init(key: String, schemas: URL) throws {
        let binary = ProcessInfo.processInfo.environment["FAL_EMULATOR"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/fal-emulator").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw EmulatorProcessError("no fal-emulator at \(binary): build it in the main package (make vapor-proxy does) or set FAL_EMULATOR")
        }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("fal-vapor-emulator-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--host", "127.0.0.1", "--port", "0", "--schemas", schemas.path, "--key", key, "--latency-ms", "0", "--queue-depth", "0"]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var base: String?
        while base == nil, Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            base = text.split(separator: "\n").first { $0.hasPrefix("listening on ") }.map { String($0.dropFirst("listening on ".count)) }
            if base == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        guard let base else {
            process.terminate()
            throw EmulatorProcessError("fal-emulator did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        self.baseURL = base
        self.key = key
        self.process = process
    }

    /// `PUT /_emulator/controls`: `latency_ms`, `queue_depth`, `queue_step_ms`, `log_lines` (see Emulator/README.md).
    func setControls(_ controls: [String: Int]) async throws {
        let body = try JSONSerialization.data(withJSONObject: controls)
        let answer = try await HTTPTransport().send(HTTPRequest(
            method: "PUT", url: baseURL + "/_emulator/controls",
            headers: HTTPHeaders([("Authorization", "Key \(key)"), ("Content-Type", "application/json")]), body: .data(body)))
        guard answer.status == 200 else { throw EmulatorProcessError("controls refused: \(answer.status)") }
    }

    /// The requests the emulator served (`GET /_emulator/requests`, its last 200), oldest first.
    func requests() async throws -> [LoggedRequest] {
        let answer = try await HTTPTransport().send(HTTPRequest(
            method: "GET", url: baseURL + "/_emulator/requests", headers: HTTPHeaders([("Authorization", "Key \(key)")])))
        guard answer.status == 200,
              let object = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any],
              let recent = object["recent"] as? [[String: Any]]
        else { throw EmulatorProcessError("unreadable request log: \(answer.status)") }
        return recent.map { LoggedRequest(operation: $0["operation"] as? String, status: $0["status"] as? Int ?? 0) }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

struct EmulatorProcessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
