import Foundation
import Testing
@testable import FalRuntime

/// The libcurl client against an independent implementation: the Python `websockets` server
/// (Tests/Peers/ws_peer.py), over ws and wss (a test CA).
@Suite("WebSocket client against the websockets peer")
struct WebSocketPeerTests {
    let connector: any WebSocketConnecting = CurlWebSocketConnector()

    @Test("echo: text and binary of every length form, over ws and wss", arguments: ["ws", "wss"])
    func echo(_ scheme: String) async throws {
        let connection = try await connector.connect(try WebSocketPeer.request(scheme, "/echo"))
        let messages: [WebSocketMessage] = [
            .text("hello"), .text(""), .text("héllo wörld 😀"), .binary(Data([0, 1, 2, 255])), .binary(Data()),
            .text(String(repeating: "x", count: 200)), .binary(Data(repeating: 7, count: 70_000)),
        ]
        var iterator = connection.messages.makeAsyncIterator()
        for message in messages {
            try await connection.send(message)
            let echoed = try await iterator.next()
            #expect(echoed == message)
        }
        await connection.close(code: 1000, reason: "done")
        #expect(try await iterator.next() == nil)
        #expect(connection.serverClose?.code == 1000)
        // libcurl here is built on OpenSSL: its TLS reads ahead (fewer recv calls; tls_read_ahead.c), and a
        // plain connection has nothing to turn on.
        #expect(try #require(connection as? CurlWebSocketConnection).shared.tlsReadAhead == (scheme == "wss"))
    }

    @Test("messages sent back to back arrive in order")
    func pipelined() async throws {
        let connection = try await connector.connect(try WebSocketPeer.request("ws", "/echo"))
        for index in 0..<500 { try await connection.send(.text("\(index)")) }
        let (received, _) = await collect(connection, limit: 500)
        #expect(received == (0..<500).map { .text("\($0)") })
        await connection.close(code: 1000, reason: "")
    }

    @Test("fragmented messages from the server are joined")
    func fragments() async throws {
        let connection = try await connector.connect(try WebSocketPeer.request("ws", "/fragments"))
        let (messages, error) = await collect(connection, limit: 2)
        #expect(error == nil)
        #expect(messages == [.text("Hello, wörld — fragmented!"), .binary(Data([0, 1, 2, 3, 4]))])
        await connection.close(code: 1000, reason: "")
    }

    @Test("a ping from the server is answered with its payload")
    func ping() async throws {
        let connection = try await connector.connect(try WebSocketPeer.request("ws", "/ping"))
        let (messages, _) = await collect(connection, limit: 1)
        #expect(messages == [.text("pong: are you there")])
        await connection.close(code: 1000, reason: "")
    }

    @Test("the server's close: 1000 ends the messages, any other code throws it with the reason", arguments: [1000, 1001, 1011, 4001])
    func serverClose(_ code: Int) async throws {
        let connection = try await connector.connect(try WebSocketPeer.request("ws", "/close/\(code)"))
        let started = ContinuousClock.now
        let (messages, error) = await collect(connection)
        #expect(messages.isEmpty)
        let close = WebSocketCloseFrame(code: UInt16(code), reason: "bye \(code)")
        if code == 1000 {
            #expect(error == nil)
        } else {
            #expect((error as? WebSocketError) == .closedByServer(close), "\(String(describing: error))")
        }
        #expect(connection.serverClose == close)
        #expect(started.duration(to: .now) < .seconds(2), "the echo and the server's TCP close are prompt")
        await #expect(throws: WebSocketError.self) { try await connection.send(.text("too late")) }
    }

    @Test("close(code:reason:) reaches the server and returns once it answered")
    func clientClose() async throws {
        let id = UUID().uuidString
        let connection = try await connector.connect(try WebSocketPeer.request("ws", "/echo?id=\(id)"))
        var iterator = connection.messages.makeAsyncIterator()
        try await connection.send(.text("one"))
        #expect(try await iterator.next() == .text("one"))
        // A message sent right before the close goes out before the close frame (the server may or may not
        // echo it: it stops sending once it read the close).
        try await connection.send(.text("two"))
        let started = ContinuousClock.now
        await connection.close(code: 4000, reason: "client done")
        #expect(started.duration(to: .now) < .seconds(1))
        #expect(connection.serverClose == WebSocketCloseFrame(code: 4000, reason: "client done"))
        var rest: [WebSocketMessage] = []
        while let message = try await iterator.next() { rest.append(message) }
        #expect(rest == [] || rest == [.text("two")])
        await #expect(throws: WebSocketError.notOpen) { try await connection.send(.text("after close")) }
        var seen = ""
        for _ in 0..<20 {
            let probe = try await connector.connect(try WebSocketPeer.request("ws", "/last-close?id=\(id)"))
            seen = await collect(probe, limit: 1).messages.first.map { if case .text(let text) = $0 { text } else { "" } } ?? ""
            await probe.close(code: 1000, reason: "")
            if seen == "4000 client done" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(seen == "4000 client done")
    }

    @Test("a 10 MiB message round trip, binary and text", arguments: ["binary", "text"])
    func bigMessage(_ kind: String) async throws {
        try await MemoryHeavyGate.exclusive {
            var random = SeededRandom(seed: 10)
            let message: WebSocketMessage
            if kind == "binary" {
                var bytes = Data(count: 10 << 20)
                bytes.withUnsafeMutableBytes { buffer in
                    for offset in stride(from: 0, to: buffer.count, by: 8) { buffer.storeBytes(of: random.next(), toByteOffset: offset, as: UInt64.self) }
                }
                message = .binary(bytes)
            } else {
                let unit = "ascii, é, €, 😀; "
                message = .text(String(repeating: unit, count: (10 << 20) / unit.utf8.count))
            }
            let connection = try await connector.connect(try WebSocketPeer.request("wss", "/echo"))
            let started = ContinuousClock.now
            try await connection.send(message)
            let (echoed, error) = await collect(connection, limit: 1)
            print("websocket: 10 MiB \(kind) round trip over wss in \(started.duration(to: .now))")
            #expect(error == nil)
            #expect(echoed.first == message)
            await connection.close(code: 1000, reason: "")
        }
    }

    @Test("a consumer that does not read holds back reading: the inbox stays near its limit, then everything arrives")
    func slowConsumer() async throws {
        try await MemoryHeavyGate.exclusive {
            let request = try WebSocketPeer.request("ws", "/flood/64") { $0.receiveBufferBytes = 2 << 20 }
            let connection = try await connector.connect(request)
            let inbox = try #require(connection as? CurlWebSocketConnection).shared.inbox
            try await Task.sleep(for: .milliseconds(500))  // the server would send 64 MiB in this time
            let held = inbox.bufferedBytes
            #expect(held <= (2 << 20) + (1 << 20) + (1 << 20), "held \(held) bytes")
            var iterator = connection.messages.makeAsyncIterator()
            for index in 0..<64 {
                let message = try await iterator.next()
                #expect(message == .binary(Data(repeating: UInt8(index % 256), count: 1 << 20)), "message \(index)")
            }
            #expect(try await iterator.next() == .text("flood done"))
            await connection.close(code: 1000, reason: "")
        }
    }

    @Test("sends wait for room in the send buffer while the server is busy, and all arrive in order")
    func sendBackPressure() async throws {
        try await MemoryHeavyGate.exclusive {
            let request = try WebSocketPeer.request("wss", "/echo") { $0.sendBufferBytes = 256 << 10 }
            let connection = try await connector.connect(request)
            let count = 48
            let sender = Task {
                for index in 0..<count { try await connection.send(.binary(Data(repeating: UInt8(index), count: 300 << 10))) }
            }
            var iterator = connection.messages.makeAsyncIterator()
            for index in 0..<count {
                let echoed = try await iterator.next()
                #expect(echoed == .binary(Data(repeating: UInt8(index), count: 300 << 10)), "message \(index)")
            }
            try await sender.value
            await connection.close(code: 1000, reason: "")
        }
    }

    @Test("extra headers reach the server")
    func headers() async throws {
        let request = try WebSocketPeer.request("ws", "/headers") { $0.headers = [("User-Agent", "fal-swift-test"), ("X-Fal-Test", "1")] }
        let connection = try await connector.connect(request)
        let (messages, _) = await collect(connection, limit: 1)
        guard case .text(let json) = messages.first else { Issue.record("no headers"); return }
        let headers = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(headers?["user-agent"] == "fal-swift-test" && headers?["x-fal-test"] == "1")
        #expect(headers?["host"] == "127.0.0.1:\(try WebSocketPeer.ports().ws)")
        await connection.close(code: 1000, reason: "")
    }

    @Test("wss without the test CA fails to connect, naming the certificate problem")
    func untrustedCertificate() async throws {
        let request = try WebSocketPeer.request("wss", "/echo") { $0.caBundlePath = nil }
        await #expect { _ = try await connector.connect(request) } throws: { error in
            guard case .connectFailed(let message) = error as? WebSocketError else { return false }
            return message.lowercased().contains("certificate")
        }
    }

    @Test("a closed port fails to connect at once")
    func refused() async throws {
        let (descriptor, port) = try LoopbackListener.open(backlog: 1)
        close(descriptor)
        let started = ContinuousClock.now
        await #expect { _ = try await connector.connect(WebSocketRequest(url: URL(string: "ws://127.0.0.1:\(port)/")!)) } throws: { error in
            if case .connectFailed = error as? WebSocketError { return true }
            return false
        }
        #expect(started.duration(to: .now) < .seconds(5), "refused at once, not at the 10 s connect timeout")
    }

    @Test("raw peer: a text message fragmented inside a code point, a ping between fragments, one byte per segment")
    func splitUTF8() async throws {
        let connection = try await connector.connect(try WebSocketPeer.request("raw", "/raw/split-utf8"))
        let (messages, error) = await collect(connection)
        #expect(messages == [.text("split: é€😀")])
        #expect(error == nil)
        #expect(connection.serverClose == WebSocketCloseFrame(code: 1000, reason: "done"))
    }

    @Test("raw peer: a frame sent in the same write as the 101 answer is read")
    func frameWithHandshake() async throws {
        let connection = try await connector.connect(try WebSocketPeer.request("raw", "/raw/frame-with-101"))
        let (messages, error) = await collect(connection)
        #expect(messages == [.text("sent with the 101")] && error == nil)
    }

    @Test("connecting to a port that never completes the TCP handshake ends at the connect timeout")
    func connectTimeout() async throws {
        // The port first: the hostile server starts on first use (seconds on a loaded machine), outside the timing.
        let port = HostileHTTP.endpoints.blackholePort
        var request = WebSocketRequest(url: URL(string: "ws://127.0.0.1:\(port)/")!)
        request.connectTimeout = .seconds(1)
        let started = ContinuousClock.now
        await #expect { _ = try await connector.connect(request) } throws: { error in
            guard case .timedOut(let message) = error as? WebSocketError else { return false }
            return message.contains("connecting to 127.0.0.1")
        }
        #expect(started.duration(to: .now) < .seconds(6), "a 1 s connect timeout")
    }

    @Test("cancelling the connecting task stops a TCP connect that never completes")
    func cancelDuringConnect() async throws {
        let port = HostileHTTP.endpoints.blackholePort
        var request = WebSocketRequest(url: URL(string: "ws://127.0.0.1:\(port)/")!)
        request.connectTimeout = .seconds(30)
        let connector = self.connector
        let started = ContinuousClock.now
        let task = Task { try await connector.connect(request) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(started.duration(to: .now) < .seconds(10), "cancelled 0.3 s into a 30 s connect timeout")
    }

    @Test("cancelling the connecting task stops a handshake the server never answers")
    func cancelConnect() async throws {
        let request = try WebSocketPeer.request("raw", "/raw/never-answer") { $0.handshakeTimeout = .seconds(30) }
        let connector = self.connector
        let started = ContinuousClock.now
        let task = Task { try await connector.connect(request) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(started.duration(to: .now) < .seconds(10), "cancelled 0.3 s into a 30 s connect timeout")
    }
}

/// Round trips of a small message on loopback, libcurl client, Python peer (its asyncio echo is most of it).
@Suite("WebSocket latency", .serialized)
struct WebSocketLatencyTests {
    @Test("round trip of a 16-byte message over ws and wss", arguments: ["ws", "wss"])
    func roundTrip(_ scheme: String) async throws {
        let connection = try await CurlWebSocketConnector().connect(try WebSocketPeer.request(scheme, "/echo"))
        var iterator = connection.messages.makeAsyncIterator()
        let message = WebSocketMessage.binary(Data(repeating: 1, count: 16))
        for _ in 0..<200 {
            try await connection.send(message)
            _ = try await iterator.next()
        }
        var samples: [Duration] = []
        for _ in 0..<2000 {
            let started = ContinuousClock.now
            try await connection.send(message)
            let echoed = try await iterator.next()
            samples.append(started.duration(to: .now))
            #expect(echoed == message)
        }
        samples.sort()
        let mean = samples.reduce(Duration.zero, +) / samples.count
        print("websocket latency \(scheme): mean \(mean), p50 \(samples[samples.count / 2]), p99 \(samples[samples.count * 99 / 100]) over \(samples.count) round trips")
        #expect(samples[samples.count / 2] < .milliseconds(20))
        await connection.close(code: 1000, reason: "")
    }
}
