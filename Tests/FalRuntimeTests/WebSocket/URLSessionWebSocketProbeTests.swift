import Foundation
import Testing
@testable import FalRuntime

/// Whether `URLSessionWebSocketTask` works on this platform, against the websockets peer. On Apple platforms it
/// must; on Linux, FoundationNetworking implements it over libcurl's own WebSocket support, which the libcurl
/// it is linked against may not have: the probe records what happens and that it ends in bounded time.
@Suite("URLSessionWebSocketTask probe")
struct URLSessionWebSocketProbeTests {
    @Test("echo through URLSessionWebSocketConnector, or a bounded failure on Linux")
    func probe() async throws {
        let request = try WebSocketPeer.request("ws", "/echo")
        let started = ContinuousClock.now
        do {
            let connection = try await URLSessionWebSocketConnector().connect(request)
            try await connection.send(.text("probe"))
            try await connection.send(.binary(Data([1, 2, 3])))
            var iterator = connection.messages.makeAsyncIterator()
            let first = try await iterator.next()
            let second = try await iterator.next()
            await connection.close(code: 4000, reason: "probe done")
            print("websocket probe: URLSessionWebSocketTask works here (\(started.duration(to: .now))): \(String(describing: first)), \(String(describing: second))")
            #expect(first == .text("probe") && second == .binary(Data([1, 2, 3])))
        } catch {
            print("websocket probe: URLSessionWebSocketTask does not work here: \(error) (after \(started.duration(to: .now)))")
            #if canImport(Darwin)
            Issue.record("URLSessionWebSocketTask must work on Apple platforms: \(error)")
            #endif
            #expect(started.duration(to: .now) < .seconds(15))
        }
    }
}
