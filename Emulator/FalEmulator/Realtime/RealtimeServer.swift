import FalCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// The emulator's HTTP/1.1 server with the realtime WebSocket beside it, on the same port: a request that
/// asks to upgrade (`Upgrade: websocket`) is decided by `RealtimeHandshake` and, when accepted, served by a
/// `RealtimeSession`; every other request goes to the `EmulatorResponder` as before.
///
/// The WebSocket side is HummingbirdWebSocket's (swift-websocket's WSCore over NIOWebSocket), an
/// implementation independent of the SDK's own client framing, so each checks the other.
enum RealtimeServer {
    static func builder(state: EmulatorState) -> HTTPServerBuilder {
        let webSocket = WebSocketServerConfiguration(
            maxFrameSize: state.configuration.realtimeMaxMessageBytes,
            // A ping every 30 s finds dead peers; the close handshake gets 5 s before the socket is closed.
            autoPing: .enabled(timePeriod: .seconds(30)), closeTimeout: .seconds(5), validateUTF8: true)
        return .http1WebSocketUpgrade(
            configuration: .init(http1: .init(additionalChannelHandlers: [ExpectContinueHandler()]), ws: webSocket)
        ) { request, channel, _ in
            let path = String((request.path ?? "/").prefix { $0 != "?" })
            // Logged without the query: it may carry a token.
            var entry = RequestLog.Entry(
                method: request.method.rawValue, path: path, operation: .realtime, scenario: "\(request.method.rawValue) \(path)", status: 0)
            state.log.beginAttempt(scenario: entry.scenario)
            switch RealtimeHandshake(state: state).decide(request) {
            case .failure(let refusal):
                entry.status = refusal.status
                state.log.record(entry)
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(UpgradeRefusalHandler(refusal))
                }.get()
                return .dontUpgrade
            case .success(let plan):
                entry.status = 101
                state.log.record(entry)
                state.realtime.accept()
                return .upgrade([:]) { inbound, outbound, _ in
                    try await state.realtime.serve(plan: plan, channel: channel, emulator: state) { session in
                        try await session.run(inbound: inbound, outbound: outbound)
                    }
                }
            }
        }
    }
}
