import Foundation
import Synchronization
@testable import FalRuntime

/// A WebSocket server in the test process, behind the `WebSocketConnecting` seam: records what the realtime
/// layer sends (with times), answers each input as told, and can drop, time out or refuse connections.
final class FakeRealtimeServer: WebSocketConnecting, @unchecked Sendable {
    struct Sent: Sendable {
        var value: MessagePackValue
        var at: ContinuousClock.Instant
        var connection: Int
    }

    enum Reply: Sendable {
        /// The input's `prompt` and `seed` echoed with a 2×2 PNG as bytes, like fal's realtime image endpoints.
        case echo
        case none
    }

    private struct State {
        var sent: [Sent] = []
        var urls: [URL] = []
        var connections: [FakeConnection] = []
        var refuseStatus: Int?
    }

    private let state = Mutex(State())
    let reply: Reply
    let replyDelay: Duration

    init(reply: Reply = .echo, replyDelay: Duration = .zero) {
        self.reply = reply
        self.replyDelay = replyDelay
    }

    var sent: [Sent] { state.withLock { $0.sent } }
    var urls: [URL] { state.withLock { $0.urls } }
    var connectionCount: Int { state.withLock { $0.connections.count } }
    var current: FakeConnection? { state.withLock { $0.connections.last } }

    /// The next handshakes are refused with this HTTP status (nil: accepted).
    func refuse(with status: Int?) { state.withLock { $0.refuseStatus = status } }

    func connect(_ request: WebSocketRequest) async throws -> any WebSocketConnection {
        let (refused, index) = state.withLock { state -> (Int?, Int) in
            state.urls.append(request.url)
            return (state.refuseStatus, state.connections.count)
        }
        if let refused { throw WebSocketError.handshakeFailed(status: refused, message: "refused by the test") }
        let connection = FakeConnection(server: self, index: index)
        state.withLock { $0.connections.append(connection) }
        return connection
    }

    fileprivate func received(_ message: WebSocketMessage, on connection: FakeConnection) {
        guard case .binary(let data) = message, let value = try? MessagePackValue(decoding: data) else { return }
        state.withLock { $0.sent.append(Sent(value: value, at: .now, connection: connection.index)) }
        guard case .echo = reply else { return }
        var output: [(key: MessagePackValue, value: MessagePackValue)] = [
            (key: "images", value: .array([.map([
                (key: "content", value: .binary(Self.png)), (key: "content_type", value: "image/png"),
                (key: "width", value: 2), (key: "height", value: 2)])])),
            (key: "request_id", value: .string("req-\(connection.index)")),
        ]
        if let prompt = value["prompt"] { output.append((key: "prompt", value: prompt)) }
        output.append((key: "seed", value: value["seed"] ?? 7))
        let frame = MessagePackValue.map(output).encoded()
        let delay = replyDelay
        guard delay > .zero else {
            connection.deliver(.binary(frame))  // in order, as a server answering one input at a time does
            return
        }
        Task {
            try? await Task.sleep(for: delay)
            connection.deliver(.binary(frame))
        }
    }

    /// A 2×2 PNG's bytes (content is opaque to the SDK; only its round trip is checked).
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4])
}

/// One connection of the fake server.
final class FakeConnection: WebSocketConnection, @unchecked Sendable {
    let index: Int
    private weak var server: FakeRealtimeServer?
    let messages: AsyncThrowingStream<WebSocketMessage, any Error>
    private let continuation: AsyncThrowingStream<WebSocketMessage, any Error>.Continuation
    private let ended = Mutex(false)
    private let stalls = Mutex(false)

    init(server: FakeRealtimeServer, index: Int) {
        self.server = server
        self.index = index
        (messages, continuation) = AsyncThrowingStream.makeStream()
    }

    var isOpen: Bool { !ended.withLock { $0 } }
    var serverClose: WebSocketCloseFrame? { nil }

    /// While set, `send` waits as a socket whose peer stopped reading does (until the test lifts it or it ends).
    func stallSends(_ stall: Bool) { stalls.withLock { $0 = stall } }

    func send(_ message: WebSocketMessage) async throws {
        while stalls.withLock({ $0 }) && isOpen { try await Task.sleep(for: .milliseconds(5)) }
        guard isOpen else { throw WebSocketError.notOpen }
        server?.received(message, on: self)
    }

    func deliver(_ message: WebSocketMessage) {
        guard isOpen else { return }
        continuation.yield(message)
    }

    /// fal's idle close: the TIMEOUT text frame, then a normal close.
    func idleTimeout() {
        deliver(.text(#"{"type":"x-fal-error","error":"TIMEOUT","reason":"no inputs, reconnect when needed!"}"#))
        end(nil)
    }

    /// The connection breaks (no close frame).
    func drop() { end(WebSocketError.connectionLost("dropped by the test")) }

    func end(_ error: (any Error)?) {
        guard ended.withLock({ ended in defer { ended = true }; return !ended }) else { return }
        continuation.finish(throwing: error)
    }

    func close(code: UInt16, reason: String) async { end(nil) }
}
