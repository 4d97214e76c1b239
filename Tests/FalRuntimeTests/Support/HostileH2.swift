import Foundation
@testable import FalRuntime

/// The hostile HTTP/2 server (Fixtures/hostile_h2.py: TLS with ALPN h2 only, the test CA's certificate for
/// 127.0.0.1), started once per test process; it exits when this process's end closes its stdin.
enum HostileH2 {
    static let baseURL: String = {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/hostile_h2.py").path
        let certificates = TLSFront.material.trusted
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, certificates + "/server.pem", certificates + "/server.key"]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = Pipe()  // kept open by the process object for as long as this process lives
        do { try process.run() } catch { fatalError("cannot start the hostile HTTP/2 server: \(error)") }
        keep = process
        var text = ""
        let handle = output.fileHandleForReading
        while !text.contains("\n") {
            let chunk = handle.availableData
            if chunk.isEmpty { fatalError("the hostile HTTP/2 server exited before listening (is the h2 package installed?)") }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "listening on ") else { fatalError("unexpected banner: \(text)") }
        return String(text[range.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    nonisolated(unsafe) private static var keep: Process?

    /// POSTs received per first path segment. Asked over a new libcurl connection each try, never over the
    /// transport under test: the misbehaving cases close connections that transport may still hold, and
    /// URLSession's process-wide pool reused a dead one for all five tries once (CI: "Connection reset by peer").
    static func posts() async throws -> [String: Int] {
        let request = HTTPRequest(method: "GET", url: baseURL + "/__/posts")
        var attempt = 0
        while true {
            do {
                let response = try await TransportUnderTest.libcurl.transport(trusting: TLSFront.material.caBundle).send(request)
                return try JSONDecoder().decode([String: Int].self, from: response.body)
            } catch {
                attempt += 1
                if attempt >= 5 { throw error }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
