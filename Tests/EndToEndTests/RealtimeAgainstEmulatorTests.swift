import FalEmulator
import FalSDK
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The SDK's realtime client against the emulator's realtime protocol (tokens from `/rest/tokens/`, msgpack over
/// the libcurl WebSocket): what the fake-socket tests in FalRuntimeTests show, shown again against a real server.
@Suite struct RealtimeAgainstEmulatorTests {
    static func input(_ n: Int) -> FastSDXLImageToImage.Input {
        .init(imageURL: .data(Data([0xFF, 0xD8, 0xFF, UInt8(n % 256)]), contentType: "image/jpeg"), prompt: "frame \(n)", seed: n)
    }

    /// `GET /_emulator/realtime`: open connections, how many were opened, how the closed ones ended, tokens issued.
    static func status(_ emulator: FalEmulator) async throws -> JSONValue {
        var request = URLRequest(url: try #require(emulator.baseURL).appendingPathComponent("_emulator/realtime"))
        request.setValue("Key end-to-end-key", forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 10
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    static func control(_ emulator: FalEmulator, _ action: String) async throws {
        var request = URLRequest(url: try #require(emulator.baseURL).appendingPathComponent("_emulator/realtime/\(action)"))
        request.httpMethod = "POST"
        request.setValue("Key end-to-end-key", forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 10
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
    }

    @Test("a 2 s token is refreshed twice while inputs stream: one socket, every input answered")
    func tokenRefreshKeepsTheSocketAndEveryInput() async throws {
        try await EmulatedFal.with { fal, emulator in
            let connection = try await fal.fastSDXLImageToImage.realtime(
                options: RealtimeOptions(throttle: .zero, tokenLifetime: .seconds(2)))
            var outputs = connection.outputs.makeAsyncIterator()
            // 5 s of inputs: past two refreshes (at 1.8 s and 3.6 s) and past the first token's own expiry.
            let started = ContinuousClock.now
            var n = 0
            while ContinuousClock.now - started < .seconds(5) {
                try await connection.send(Self.input(n))
                #expect(try await outputs.next()?.seed == n)
                n += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            let status = try await Self.status(emulator)
            #expect(status["opened"] == 1, "the socket was kept across the refreshes: \(status)")
            #expect((status["tokens_issued"]?.number ?? 0) >= 3, "the first token and at least two refreshes: \(status)")
            #expect(status["open"]?.arrayValue?.first?["answered"] == .int(n))
            await connection.close()
        }
    }

    @Test("fal's idle TIMEOUT is not an error: the next input reconnects and is answered")
    func idleTimeoutReconnectsQuietly() async throws {
        try await EmulatedFal.with(configure: { $0.realtimeIdleTimeout = .seconds(1) }) { fal, emulator in
            let connection = try await fal.fastSDXLImageToImage.realtime(throttle: .zero)
            var outputs = connection.outputs.makeAsyncIterator()
            try await connection.send(Self.input(1))
            #expect(try await outputs.next()?.seed == 1)
            // Wait until the emulator has closed the idle socket with its TIMEOUT frame.
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline,
                  try await Self.status(emulator)["recently_closed"]?.arrayValue?.contains(where: { $0["ended"] == "timeout" }) != true {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await connection.send(Self.input(2))
            // The next thing the app sees is the answer, not an error about the closed socket.
            #expect(try await outputs.next()?.seed == 2)
            let status = try await Self.status(emulator)
            #expect(status["opened"] == 2)
            #expect(status["recently_closed"]?.arrayValue?.first?["ended"] == "timeout")
            await connection.close()
        }
    }

    @Test("a dropped connection is reported, and the next input reconnects")
    func aDropIsReportedThenTheNextInputReconnects() async throws {
        try await EmulatedFal.with { fal, emulator in
            let connection = try await fal.fastSDXLImageToImage.realtime(throttle: .zero)
            var outputs = connection.outputs.makeAsyncIterator()
            try await connection.send(Self.input(1))
            #expect(try await outputs.next()?.seed == 1)
            try await Self.control(emulator, "drop")
            await #expect(throws: FalError.self) { _ = try await outputs.next() }
            try await connection.send(Self.input(2))
            #expect(try await outputs.next()?.seed == 2)
            #expect(try await Self.status(emulator)["opened"] == 2)
            await connection.close()
        }
    }

    @Test("a revoked token: the emulator says Unauthorized, the client fetches a new token and goes on")
    func aRevokedTokenIsReplaced() async throws {
        try await EmulatedFal.with { fal, emulator in
            let connection = try await fal.fastSDXLImageToImage.realtime(throttle: .zero)
            var outputs = connection.outputs.makeAsyncIterator()
            try await connection.send(Self.input(1))
            #expect(try await outputs.next()?.seed == 1)
            try await Self.control(emulator, "expire-tokens")
            try await connection.send(Self.input(2))
            // Input 2 met the revoked token: fal's answer is an error, and the input is not answered.
            await #expect(throws: FalError.self) { _ = try await outputs.next() }
            try await connection.send(Self.input(3))
            #expect(try await outputs.next()?.seed == 3)
            let status = try await Self.status(emulator)
            #expect(status["opened"] == 2)
            #expect((status["tokens_issued"]?.number ?? 0) >= 2)
            await connection.close()
        }
    }
}
