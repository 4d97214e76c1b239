import Foundation
import Testing
@testable import FalRuntime
import TestSupport

extension HostileServerTests {
    /// The WebSocket client against raw-socket servers that break the protocol, flood, stall or lie
    /// (Tests/Peers/ws_peer.py, "raw"): each case must end within its bound with the error it calls for, and
    /// grow the process's peak resident memory by less than 32 MiB. Nested in `HostileServerTests`, so the
    /// cases run one at a time in the hostile suites' own process (`make test`), and the peak is theirs.
    @Suite("WebSocket hostile servers")
    struct WebSocketHostile {
        struct Case: Sendable, CustomTestStringConvertible {
            var name: String
            var path: String
            var bound: Duration
            /// The close code the client must send the server (nil: no close frame is due, or none is checked).
            var sends: UInt16? = nil
            /// What the client does once connected (default: reads every message until the end).
            var work: @Sendable (any WebSocketConnection) async throws -> [WebSocketMessage] = { connection in
                var messages: [WebSocketMessage] = []
                for try await message in connection.messages { messages.append(message) }
                return messages
            }
            var expected: @Sendable (_ messages: [WebSocketMessage], _ error: (any Error)?) -> Bool
            var testDescription: String { name }
        }

        static func violation(_ code: UInt16) -> @Sendable ([WebSocketMessage], (any Error)?) -> Bool {
            { _, error in
                guard case .protocolViolation(let violation) = error as? WebSocketError else { return false }
                return violation.closeCode == code
            }
        }

        static let cases: [Case] = [
            Case(name: "a 100 MiB frame", path: "/raw/huge-frame", bound: .seconds(10), sends: 1009, expected: violation(1009)),
            Case(name: "a fragmented message that never ends", path: "/raw/endless-fragments", bound: .seconds(20), sends: 1009, expected: violation(1009)),
            Case(name: "invalid UTF-8 in a text frame", path: "/raw/invalid-utf8", bound: .seconds(10), sends: 1007, expected: violation(1007)),
            Case(name: "a masked server frame", path: "/raw/masked", bound: .seconds(10), sends: 1002, expected: violation(1002)),
            Case(name: "a 1-byte close payload", path: "/raw/close-1-byte", bound: .seconds(10), sends: 1002, expected: violation(1002)),
            Case(name: "a ping flood", path: "/raw/ping-flood", bound: .seconds(20), sends: 1000, expected: { messages, error in
                guard error == nil, case .text(let summary) = messages.first else { return false }
                print("websocket hostile: ping flood: \(summary)")
                return summary.contains("last-ok=True")
            }),
            Case(name: "a server that stops reading while the client sends", path: "/raw/no-read", bound: .seconds(20),
                 work: { connection in
                     let chunk = WebSocketMessage.binary(Data(repeating: 0x5A, count: 64 << 10))
                     while true { try await connection.send(chunk) }
                 },
                 expected: { _, error in
                     if case .timedOut(let message) = error as? WebSocketError { return message.contains("read nothing") }
                     return false
                 }),
            Case(name: "a handshake answered with 200", path: "/raw/status-200", bound: .seconds(10), expected: { _, error in
                if case .handshakeFailed(200, let message) = error as? WebSocketError { return message.contains("200 OK") }
                return false
            }),
            Case(name: "a 101 with a wrong Sec-WebSocket-Accept", path: "/raw/wrong-accept", bound: .seconds(10), expected: { _, error in
                if case .handshakeFailed(101, let message) = error as? WebSocketError { return message.contains("Sec-WebSocket-Accept") }
                return false
            }),
            Case(name: "a handshake never answered", path: "/raw/never-answer", bound: .seconds(10), expected: { _, error in
                if case .timedOut(let message) = error as? WebSocketError { return message.contains("opening handshake") }
                return false
            }),
            Case(name: "a close frame, then silence", path: "/raw/close-then-silence", bound: .seconds(10), sends: 1000, expected: { messages, error in
                messages.isEmpty && error == nil
            }),
        ]

        @Test("a hostile WebSocket server: ends within its bound, with its error, peak RSS growth under 32 MiB", arguments: cases)
        func hostile(_ hostile: Case) async throws {
            let id = UUID().uuidString
            let request = try WebSocketPeer.request("raw", hostile.path + "?id=\(id)") {
                $0.handshakeTimeout = .seconds(2)
                $0.closeTimeout = .seconds(2)
                $0.sendTimeout = .seconds(2)
            }
            try await MemoryHeavyGate.exclusive { try await Self.measure(hostile, request) }
            // The close frame the client sent, as the server read it.
            guard let code = hostile.sends else { return }
            var got = ""
            for _ in 0..<40 {
                let query = try await CurlWebSocketConnector().connect(try WebSocketPeer.request("ws", "/raw-close?id=\(id)"))
                got = await collect(query, limit: 1).messages.first.map { if case .text(let text) = $0 { text } else { "" } } ?? ""
                await query.close(code: 1000, reason: "")
                if got.hasPrefix("\(code)") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            print("websocket hostile: \(hostile.name): the server got close \(got)")
            #expect(got.hasPrefix("\(code)"), "\(hostile.name): the server got close \(got), expected \(code)")
        }

        static func measure(_ hostile: Case, _ request: WebSocketRequest) async throws {
            let before = ProcessMemory.resetPeak()
            let started = ContinuousClock.now
            var messages: [WebSocketMessage] = []
            var failure: (any Error)?
            do {
                let connection = try await CurlWebSocketConnector().connect(request)
                do { messages = try await hostile.work(connection) } catch { failure = error }
                await connection.close(code: 1000, reason: "")
            } catch {
                failure = error
            }
            let elapsed = started.duration(to: .now)
            let growth = ProcessMemory.peak - before
            print("websocket hostile: \(hostile.name): ended in \(elapsed), peak RSS growth \(growth / 1024) KiB: \(failure.map { "\($0)" } ?? "no error")")
            #expect(elapsed < hostile.bound * Sanitizer.timeSlack, "\(hostile.name) took \(elapsed)")
            #expect(hostile.expected(messages, failure), "\(hostile.name): \(String(describing: failure))")
            if !Sanitizer.inflatesMemory {
                #expect(growth < HostileServerTests.growthLimit, "\(hostile.name): peak RSS grew by \(growth / 1024 / 1024) MiB")
            }
        }
    }
}
