import Foundation
import Synchronization
import Testing
@testable import FalRuntime

/// The WebSocket peers (Tests/Peers/ws_peer.py), started once per test process on 127.0.0.1: the Python
/// `websockets` server (plain and TLS) as the independent, conforming peer, and the raw hostile servers.
/// A missing python3 or `websockets` package fails the tests that need it with the peer's own message.
enum WebSocketPeer {
    struct Ports: Sendable {
        var ws: Int
        var wss: Int
        var raw: Int
        var websocketsVersion: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Peers")

    /// The CA that signed the TLS peer's certificate (for 127.0.0.1 and localhost).
    static let caBundle = folder.appendingPathComponent("tls/ca.pem").path

    /// The peer's stdin: held open for the life of the test process; the peer exits when it closes.
    nonisolated(unsafe) private static var lifeline: Pipe?

    private static let started: Result<Ports, Failure> = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", folder.appendingPathComponent("ws_peer.py").path]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            return .failure(Failure(description: "cannot start python3 for Tests/Peers/ws_peer.py: \(error)"))
        }
        lifeline = input
        // The first line, read on a thread of its own so a peer that never prints cannot hang the tests.
        let line = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            var text = Data()
            while !text.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text.append(chunk)
            }
            line.withLock { $0 = String(decoding: text, as: UTF8.self) }
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + 30) == .success, let first = line.withLock({ $0 }), !first.isEmpty,
              let json = try? JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any],
              let ws = json["ws"] as? Int, let wss = json["wss"] as? Int, let raw = json["raw"] as? Int
        else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return .failure(Failure(description: "the WebSocket peer (python3 Tests/Peers/ws_peer.py) did not start: "
                + (stderr.isEmpty ? "no output (exit status \(process.terminationStatus))" : stderr)))
        }
        // Its later output (tracebacks of hostile cases) is not needed; keep the pipe drained.
        errors.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
        return .success(Ports(ws: ws, wss: wss, raw: raw, websocketsVersion: json["websockets"] as? String ?? "?"))
    }()

    static func ports() throws -> Ports { try started.get() }

    static func url(_ scheme: String, _ path: String) throws -> URL {
        let ports = try ports()
        let port = scheme == "wss" ? ports.wss : scheme == "raw" ? ports.raw : ports.ws
        return URL(string: "\(scheme == "wss" ? "wss" : "ws")://127.0.0.1:\(port)\(path)")!
    }

    /// A request to the peer, trusting the test CA.
    static func request(_ scheme: String, _ path: String, configure: (inout WebSocketRequest) -> Void = { _ in }) throws -> WebSocketRequest {
        var request = WebSocketRequest(url: try url(scheme, path))
        request.caBundlePath = caBundle
        request.connectTimeout = .seconds(5)
        request.handshakeTimeout = .seconds(5)
        request.closeTimeout = .seconds(2)
        configure(&request)
        return request
    }
}

/// Every message of a connection until it ends, and how it ended.
func collect(_ connection: any WebSocketConnection, limit: Int = .max) async -> (messages: [WebSocketMessage], error: (any Error)?) {
    var messages: [WebSocketMessage] = []
    do {
        for try await message in connection.messages {
            messages.append(message)
            if messages.count >= limit { break }
        }
        return (messages, nil)
    } catch {
        return (messages, error)
    }
}

/// Turns for the tests that move many megabytes (10 MiB messages, floods) and the hostile cases that measure
/// the peak resident set: one at a time, so a peak is not a neighbour's (Swift Testing runs suites in parallel).
actor MemoryHeavyGate {
    static let shared = MemoryHeavyGate()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    private func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }

    /// Runs `body` when no other memory-heavy test runs.
    static func exclusive<T>(_ body: () async throws -> T) async throws -> T {
        await shared.acquire()
        do {
            let result = try await body()
            await shared.release()
            return result
        } catch {
            await shared.release()
            throw error
        }
    }
}
