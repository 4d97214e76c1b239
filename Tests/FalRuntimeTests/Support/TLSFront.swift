import Foundation
@testable import FalRuntime

/// nginx with TLS, HTTP/2 and HTTP/1.1 (scripts/lib/tls-front.sh) in front of one upstream. A bash process
/// starts it and stops it when its stdin closes: when `stop()` closes it, or when this test process ends,
/// however it ends (a crash closes the pipe too). Bounded: bash stops the front after 15 minutes regardless.
final class TLSFront: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("scripts/lib/tls-front.sh").path

    /// Certificate folders, each with ca.pem, server.pem and server.key: `trusted` (the CA clients are given,
    /// a certificate for 127.0.0.1), `otherName` (same CA, a certificate for fal.example only) and `untrusted`
    /// (a certificate for 127.0.0.1 from another CA). FAL_TEST_TLS_DIR's when set (`make tls` makes them, so
    /// the CA can be put into the system store), else made here once per process.
    struct Material: Sendable {
        var folder: String
        var trusted: String { folder }
        var otherName: String { folder + "/other-name" }
        var untrusted: String { folder + "/untrusted" }
        var caBundle: String { folder + "/ca.pem" }
    }

    static let material: Material = {
        if let folder = ProcessInfo.processInfo.environment["FAL_TEST_TLS_DIR"], !folder.isEmpty { return Material(folder: folder) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fal-tls-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try runBash(makeMaterial, folder)
        } catch { fatalError("cannot make the TLS test certificates: \(error)") }
        return Material(folder: folder)
    }()

    /// Bash that makes the three certificate folders in $1.
    static let makeMaterial = #"set -e; source "$FRONT"; tls_front_make_test_set "$1""#

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs `script` in bash (with the front library's path in $FRONT), at most 60 s.
    static func runBash(_ script: String, _ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["60", "bash", "-c", script, "tls-front"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["FRONT"] = TLSFront.script
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let detail = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "bash exited \(process.terminationStatus): \(String(decoding: detail, as: UTF8.self))")
        }
    }

    let url: String
    let folder: String
    private let process: Process
    private let input: Pipe

    /// Starts a front for `upstream` (host:port or http://host:port) presenting `certificates`' server certificate.
    init(upstream: String, certificates: String = TLSFront.material.trusted) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fal-front-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", "-c", """
            set -e; source "$FRONT"; src="$1"; dir="$2"
            cp "$src/ca.pem" "$src/server.pem" "$src/server.key" "$dir/"
            trap 'tls_front_stop "$dir"' EXIT; trap 'exit 1' TERM INT HUP
            tls_front_start "$dir" "$3"
            echo "port $TLS_FRONT_PORT"
            read -r -t 900 _ || true
            """, "tls-front", certificates, folder, upstream]
        var environment = ProcessInfo.processInfo.environment
        environment["FRONT"] = TLSFront.script
        process.environment = environment
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The banner, or EOF when bash gave up (tls_front_start waits at most 10 s per port, 10 ports).
        var text = ""
        let handle = output.fileHandleForReading
        while !text.contains("\n") {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("port "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            let log = (try? String(contentsOfFile: folder + "/nginx-error.log", encoding: .utf8)) ?? ""
            throw Failure(description: "the TLS front did not start: \(text) \(log)")
        }
        url = "https://127.0.0.1:\(port)"
    }

    /// Stops nginx (bash's EXIT trap: graceful, at most about 6 s) and waits for bash, at most 15 s.
    func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
    }

    deinit { stop() }

    /// One access-log line: the request line's HTTP version, the connection's serial number, whether the TLS
    /// session was resumed.
    struct Access: Sendable {
        var request: String
        var status: Int
        var httpVersion: String
        var connection: Int
        var sessionReused: Bool
    }

    /// The access log so far (nginx writes each line when its request ends).
    func accessLog() -> [Access] {
        let text = (try? String(contentsOfFile: folder + "/nginx-access.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
            guard quoted.count >= 7 else { return nil }
            let status = Int(quoted[2].split(separator: " ").first ?? "") ?? 0
            let tail = quoted[6].split(separator: " ")
            guard tail.count >= 4 else { return nil }
            return Access(request: String(quoted[1]), status: status, httpVersion: String(tail[0]),
                          connection: Int(tail[1]) ?? -1, sessionReused: tail[3] == "r")
        }
    }
}
