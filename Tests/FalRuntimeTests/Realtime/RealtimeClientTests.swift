import Foundation
import Synchronization
import Testing
@testable import FalRuntime

/// An image-to-image endpoint of the shape fal's realtime samples stream to.
enum RealtimeModel: FalEndpoint {
    static let id = "fal-ai/fast-sdxl/image-to-image"

    struct Input: FalInput {
        var imageURL: FalFile
        var prompt: String
        var seed: Int?
        enum CodingKeys: String, CodingKey { case imageURL = "image_url", prompt, seed }
        func validate(at path: FieldPath, into issues: inout [ValidationIssue]) {
            if prompt.isEmpty { issues.append(ValidationIssue(path: path.key("prompt"), message: "must not be empty")) }
        }
    }

    struct Output: FalOutput {
        var images: [FalImage]
        var seed: Int
        var prompt: String?
    }
}

/// The realtime layer over a fake socket (no network): throttling, reconnecting, tokens, errors, decoding.
@Suite("realtime connections")
struct RealtimeClientTests {
    static func client(tokens: Recorder<String> = Recorder()) -> (FalClient, FakeRealtimeServer) {
        let server = FakeRealtimeServer()
        let client = FalClient(
            configuration: FalConfiguration(credentials: FalCredentials(key: "k"), hosts: .emulator("http://127.0.0.1:9")),
            transport: HTTPTransport(), webSocketConnector: server)
        return (client, server)
    }

    static func options(throttle: Duration, lifetime: Duration = .seconds(120), tokens: Recorder<String> = Recorder()) -> RealtimeOptions {
        RealtimeOptions(throttle: throttle, tokenProvider: { app in
            tokens.append(app)
            return "token-\(tokens.values.count)"
        }, tokenLifetime: lifetime)
    }

    static func input(_ n: Int) -> RealtimeModel.Input {
        RealtimeModel.Input(imageURL: .data(Data([0xFF, 0xD8, UInt8(n % 256)]), contentType: "image/jpeg"), prompt: "frame \(n)", seed: n)
    }

    /// Waits (bounded) until `condition` holds.
    static func eventually(_ what: String, within limit: Duration = .seconds(5), _ condition: () async -> Bool) async {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("not within \(limit): \(what)")
    }

    /// What a keep-latest throttle allows, whatever the machine's speed: the first input first, the last input
    /// of each burst always, inputs in the order given, and no two sends closer than the interval.
    static func checkThrottled(_ sent: [FakeRealtimeServer.Sent], interval: Duration, bursts: [[Int]]) {
        let seeds = sent.compactMap { $0.value["seed"]?.int64Value }.map(Int.init)
        #expect(seeds == seeds.sorted(), "inputs go in the order given: \(seeds)")
        for burst in bursts {
            #expect(seeds.contains(burst.first!), "the first input of a burst goes: \(seeds)")
            #expect(seeds.contains(burst.last!), "the last input of a burst always goes: \(seeds)")
        }
        for (earlier, later) in zip(sent, sent.dropFirst()) {
            #expect(later.at - earlier.at >= interval * 0.95, "two sends \(later.at - earlier.at) apart, under the \(interval) throttle")
        }
    }

    @Test("thirty inputs faster than the throttle: the first goes at once, the last is always sent, only the latest waits")
    func throttleKeepsTheLatest() async throws {
        let (client, server) = Self.client()
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: Self.options(throttle: .milliseconds(200)))
        let started = ContinuousClock.now
        for n in 0..<30 { try await connection.send(Self.input(n)) }
        let loop = started.duration(to: .now)
        await Self.eventually("the last input on the wire") { server.sent.last?.value["seed"]?.int64Value == 29 }
        try await Task.sleep(for: .milliseconds(300))
        let sent = server.sent
        Self.checkThrottled(sent, interval: .milliseconds(200), bursts: [Array(0..<30)])
        #expect(sent.first?.value["seed"]?.int64Value == 0)
        // At most one send per interval while the loop ran, plus the last: thirty inputs in 40 ms make two sends.
        let allowed = 2 + Int(loop / .milliseconds(200))
        #expect(sent.count <= allowed, "\(sent.count) sends for a \(loop) loop under a 200 ms throttle")
        var seeds: [Int] = []
        for try await output in connection.outputs {
            seeds.append(output.seed)
            if output.seed == 29 { break }
        }
        #expect(seeds.last == 29, "the last input of the burst is answered")
        await connection.close()
    }

    @Test("bursts separated by pauses: each burst's first and last input are sent")
    func burstsSendFirstAndLast() async throws {
        let (client, server) = Self.client()
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: Self.options(throttle: .milliseconds(60)))
        var bursts: [[Int]] = []
        for burst in 0..<3 {
            bursts.append((0..<10).map { burst * 100 + $0 })
            for n in bursts.last! { try await connection.send(Self.input(n)) }
            // The pause starts once the burst's last input is on the wire (on a slow machine, under a sanitizer,
            // it may still be waiting out the interval when the loop gets here).
            let last = Int64(bursts.last!.last!)
            await Self.eventually("burst \(burst)'s last input on the wire") { server.sent.last?.value["seed"]?.int64Value == last }
            try await Task.sleep(for: .milliseconds(200))
        }
        Self.checkThrottled(server.sent, interval: .milliseconds(60), bursts: bursts)
        await connection.close()
    }

    @Test("throttle zero sends every input, in order; results beyond the buffer limit drop the oldest")
    func noThrottleSendsEverything() async throws {
        let (client, server) = Self.client()
        var options = Self.options(throttle: .zero)
        options.outputBufferLimit = 64
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: options)
        for n in 0..<50 { try await connection.send(Self.input(n)) }
        #expect(server.sent.map { $0.value["seed"]?.int64Value } == (0..<50).map { Int64($0) })
        var seeds: [Int] = []
        for try await output in connection.outputs {
            seeds.append(output.seed)
            if seeds.count == 50 { break }
        }
        #expect(seeds == Array(0..<50))
        await connection.close()

        // The default limit (16) keeps the newest results for a consumer that is behind.
        let (client16, _) = Self.client()
        let behind = try await client16.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: Self.options(throttle: .zero))
        for n in 0..<50 { try await behind.send(Self.input(n)) }
        try await Task.sleep(for: .milliseconds(200))
        var iterator = behind.outputs.makeAsyncIterator()
        var kept: [Int] = []
        for _ in 0..<16 { if let output = try await iterator.next() { kept.append(output.seed) } }
        #expect(kept == Array(34..<50), "the 16 newest results were kept: \(kept)")
        await behind.close()
    }

    @Test("a server that stops reading: inputs keep replacing the one waiting, no queue grows")
    func stalledServerKeepsOneInput() async throws {
        let (client, server) = Self.client()
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: Self.options(throttle: .milliseconds(10)))
        try await connection.send(Self.input(0))
        await Self.eventually("the first input sent") { server.sent.count == 1 }
        server.current?.stallSends(true)
        for n in 1...500 { try await connection.send(Self.input(n)) }  // never blocks the sender
        try await Task.sleep(for: .milliseconds(100))
        server.current?.stallSends(false)
        await Self.eventually("the latest input sent after the stall") { server.sent.last?.value["seed"]?.int64Value == 500 }
        #expect(server.sent.count <= 3, "\(server.sent.count) inputs reached the server: the stall queued inputs")
        await connection.close()
    }

    @Test("inputs travel as msgpack with bytes inline as a data: URI, validated first")
    func inputsAreValidatedAndInline() async throws {
        let (client, server) = Self.client()
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: Self.options(throttle: .zero))
        let error = await #expect(throws: FalError.self) { try await connection.send(RealtimeModel.Input(imageURL: "https://x/y.png", prompt: "")) }
        guard case .validation(let issues)? = error else { Issue.record("expected a validation error, got \(String(describing: error))"); return }
        #expect(issues.map(\.path.description) == ["prompt"])
        #expect(server.sent.isEmpty, "an invalid input is not sent")
        try await connection.send(Self.input(3))
        let image = server.sent.first?.value["image_url"]?.stringValue
        #expect(image == "data:image/jpeg;base64,\(Data([0xFF, 0xD8, 3]).base64EncodedString())")
        #expect(server.urls.first?.absoluteString == "ws://127.0.0.1:9/run/fal-ai/fast-sdxl/image-to-image/realtime?fal_jwt_token=token-1")
        await connection.close()
    }

    @Test("image bytes in a result are usable at once: content holds them, url is a data: URI of them")
    func resultBytesAreDecoded() async throws {
        let (client, _) = Self.client()
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: Self.options(throttle: .zero))
        try await connection.send(Self.input(1))
        var outputs = connection.outputs.makeAsyncIterator()
        let output = try #require(try await outputs.next())
        #expect(output.images[0].content == FakeRealtimeServer.png)
        #expect(output.images[0].url == "data:image/png;base64,\(FakeRealtimeServer.png.base64EncodedString())")
        #expect(output.images[0].width == 2 && output.prompt == "frame 1")
        await connection.close()
    }

    @Test("fal's idle TIMEOUT is no error: the next input opens a new connection")
    func idleTimeoutReconnectsQuietly() async throws {
        let (client, server) = Self.client()
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: Self.options(throttle: .zero))
        var outputs = connection.outputs.makeAsyncIterator()
        try await connection.send(Self.input(1))
        #expect(try await outputs.next()?.seed == 1)
        server.current?.idleTimeout()
        try await Task.sleep(for: .milliseconds(50))
        try await connection.send(Self.input(2))
        #expect(try await outputs.next()?.seed == 2, "no error came first: the TIMEOUT was not surfaced")
        #expect(server.connectionCount == 2)
        await connection.close()
    }

    @Test("a lost connection is reported once, and the next input reconnects")
    func lostConnectionIsReportedThenReconnects() async throws {
        let (client, server) = Self.client()
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: Self.options(throttle: .zero))
        var outputs = connection.outputs.makeAsyncIterator()
        server.current?.drop()
        let error = await #expect(throws: FalError.self) { _ = try await outputs.next() }
        guard case .transport(_, let message, _)? = error else { Issue.record("expected a transport error, got \(String(describing: error))"); return }
        #expect(message.contains("dropped by the test"))
        try await connection.send(Self.input(5))
        #expect(try await outputs.next()?.seed == 5)
        #expect(server.connectionCount == 2)
        await connection.close()
    }

    @Test("connecting backs off while it fails, then recovers")
    func reconnectBacksOff() async throws {
        let (client, server) = Self.client()
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: Self.options(throttle: .zero))
        var outputs = connection.outputs.makeAsyncIterator()
        server.refuse(with: 503)
        server.current?.drop()
        _ = try? await outputs.next()  // the lost connection
        let started = ContinuousClock.now
        for n in 0..<4 {
            try await connection.send(Self.input(n))
            let error = await #expect(throws: FalError.self) { _ = try await outputs.next() }
            if case .http(let status, _, _, _)? = error { #expect(status == 503) } else { Issue.record("\(String(describing: error))") }
        }
        // Backoff 0.1 + 0.2 + 0.4 s between the four attempts.
        #expect(ContinuousClock.now - started >= .milliseconds(650), "four failed connects in \(ContinuousClock.now - started)")
        server.refuse(with: nil)
        try await connection.send(Self.input(9))
        #expect(try await outputs.next()?.seed == 9)
        await connection.close()
    }

    @Test("fal's error frames arrive as FalError with the request id; the connection goes on")
    func errorFramesCarryTheRequestID() async throws {
        let (client, server) = Self.client()
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: Self.options(throttle: .zero))
        var outputs = connection.outputs.makeAsyncIterator()
        server.current?.deliver(.text(#"{"type":"x-fal-message","timings":{"inference":0.1}}"#))
        server.current?.deliver(.text(#"{"type":"x-fal-error","error":"INTERNAL_ERROR","reason":"GPU fell over","request_id":"r-42"}"#))
        let error = await #expect(throws: FalError.self) { _ = try await outputs.next() }
        guard case .http(let status, let detail, let type, let requestID)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(status == 500 && type == "INTERNAL_ERROR" && requestID == "r-42" && detail.contains("GPU fell over"))
        try await connection.send(Self.input(4))
        #expect(try await outputs.next()?.seed == 4)
        await connection.close()
    }

    @Test("the token is refreshed at 90 % of its lifetime without dropping the socket or an input")
    func tokenRefreshKeepsTheSocket() async throws {
        let (client, server) = Self.client()
        let tokens = Recorder<String>()
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self,
            options: Self.options(throttle: .zero, lifetime: .seconds(1), tokens: tokens))
        var outputs = connection.outputs.makeAsyncIterator()
        for n in 0..<30 {
            try await connection.send(Self.input(n))
            #expect(try await outputs.next()?.seed == n)
            try await Task.sleep(for: .milliseconds(70))
        }
        #expect(tokens.values.count >= 2, "refreshed \(tokens.values.count - 1) times in 2.1 s of a 1 s token")
        #expect(tokens.values.allSatisfy { $0 == "fal-ai/fast-sdxl/image-to-image/realtime" })
        #expect(server.connectionCount == 1, "the socket was kept across the refresh")
        #expect(server.sent.count == 30)
        // A connection opened after the refresh uses the new token.
        server.current?.drop()
        _ = try? await outputs.next()
        try await connection.send(Self.input(99))
        #expect(try await outputs.next()?.seed == 99)
        #expect(server.urls.last?.query?.contains("fal_jwt_token=token-1") == false)
        await connection.close()
    }

    @Test("options fal would refuse fail before any connection")
    func invalidOptions() async throws {
        let (client, server) = Self.client()
        for options in [RealtimeOptions(maxBuffering: 0), RealtimeOptions(maxBuffering: 61), RealtimeOptions(path: "realtime"),
                        RealtimeOptions(path: "/a?b"), RealtimeOptions(throttle: .milliseconds(-1))] {
            await #expect(throws: FalError.self) { _ = try await client.realtime(RealtimeModel.id, options: options) }
        }
        #expect(server.connectionCount == 0)
        let custom = try await client.realtime(RealtimeModel.id, options: RealtimeOptions(maxBuffering: 5, path: "/stream", tokenProvider: { _ in "t" }))
        #expect(server.urls.last?.absoluteString == "ws://127.0.0.1:9/run/fal-ai/fast-sdxl/image-to-image/stream?fal_jwt_token=t&max_buffering=5")
        await custom.close()
    }

    @Test("after close, send throws and outputs end")
    func closeEndsEverything() async throws {
        let (client, _) = Self.client()
        let connection = try await client.realtime(
            RealtimeModel.id, input: RealtimeModel.Input.self, output: RealtimeModel.Output.self, options: Self.options(throttle: .zero))
        await connection.close()
        await #expect(throws: FalError.self) { try await connection.send(Self.input(1)) }
        var outputs = connection.outputs.makeAsyncIterator()
        #expect(try await outputs.next() == nil)
    }
}
