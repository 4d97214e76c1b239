import FalCore
import FalEmulator
import Foundation
import Testing

/// How a realtime connection paces itself: in order, one input at a time, `max_buffering` waiting at most,
/// closed with fal's TIMEOUT frame when idle.
@Suite struct RealtimeFlowTests {
    @Test func resultsComeInInputOrder() async throws {
        try await EmulatorFixture.with { _, base in
            let client = try await RealtimeFixture.openWithToken(base, headers: [ControlHeaders.latency: "20"])
            for seed in 1...8 { try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input(seed: Int64(seed)))) }
            var seeds: [MessagePackValue] = []
            for _ in 1...8 { seeds.append(try await RealtimeFixture.nextResult(client)["seed"] ?? .nil) }
            #expect(seeds == (1...8).map { MessagePackValue.int(Int64($0)) })
            await client.close()
        }
    }

    /// fal's `deque(maxlen=max_buffering)`: the input being answered finishes; of those waiting, the newest
    /// `max_buffering` are kept and older ones dropped.
    @Test func maxBufferingDropsTheOldestWaitingInputs() async throws {
        try await EmulatorFixture.with { _, base in
            // Results are held back until all six inputs are in, so the order of arrival, not the machine's
            // speed, decides what is dropped (a 4 s latency was not enough on a loaded CI machine).
            let hold = try await TestHTTP.send("POST", "\(base)/_emulator/realtime/delay?ms=60000")
            #expect(hold.status == 200)
            let client = try await RealtimeFixture.openWithToken(base, query: ["max_buffering": "2"])
            try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input(seed: 1)))
            // Input 1 is being answered (taken off the queue) before the others arrive.
            _ = try await RealtimeFixture.waitForStatus(base) { $0["open"]?.arrayValue?.first?["received"] == 1 && $0["open"]?.arrayValue?.first?["pending"] == 0 }
            for seed in 2...6 { try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input(seed: Int64(seed)))) }
            _ = try await RealtimeFixture.waitForStatus(base) { $0["open"]?.arrayValue?.first?["received"] == 6 }
            let release = try await TestHTTP.send("POST", "\(base)/_emulator/realtime/delay?ms=0")
            #expect(release.status == 200)
            var seeds: [MessagePackValue] = []
            for _ in 1...3 { seeds.append(try await RealtimeFixture.nextResult(client)["seed"] ?? .nil) }
            #expect(seeds == [1, 5, 6])
            let status = try await RealtimeFixture.status(base)
            let connection = status["open"]?.arrayValue?.first
            #expect(connection?["dropped"] == 3)
            #expect(connection?["answered"] == 3)
            #expect(connection?["max_buffering"] == 2)
            // Nothing else is coming: every input was answered or dropped.
            #expect(connection?["received"] == 6 && connection?["pending"] == 0)
            await client.close()
        }
    }

    @Test func anIdleConnectionGetsTimeoutThenANormalClose() async throws {
        let configuration = EmulatorFixture.configuration { $0.realtimeIdleTimeout = .seconds(2) }
        try await EmulatorFixture.with(configuration) { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            let opened = ContinuousClock.now
            // An input part-way through restarts the idle time. Half the idle time leaves room for a loaded
            // machine (with 0.4 s of 0.6 s, CI's sleep overran and the socket had timed out before the send).
            try await Task.sleep(for: .seconds(1))
            try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input()))
            _ = try await RealtimeFixture.nextResult(client)
            let timeout = try await RealtimeFixture.nextText(client, timeout: .seconds(10))
            #expect(timeout == ["type": "x-fal-error", "error": "TIMEOUT", "reason": "no inputs, reconnect when needed!"])
            #expect(ContinuousClock.now - opened >= .milliseconds(2900), "idle time counts from the last input")
            #expect(try await client.receive() == .close(code: 1000, reason: ""))
            // The server half-closes after its close frame; the answer may meet a closed socket.
            try? await client.sendClose()
            let status = try await RealtimeFixture.waitForStatus(base) { $0["open"]?.arrayValue?.isEmpty == true }
            #expect(status["recently_closed"]?.arrayValue?.last?["ended"] == "timeout")
            await client.close()
        }
    }

    @Test func stoppingTheEmulatorClosesConnectionsAsGoingAway() async throws {
        let emulator = try FalEmulator(configuration: EmulatorFixture.configuration())
        let base = try await emulator.start().absoluteString
        // Not waiting for the session to register: a stop right after the upgrade must still say 1001.
        let client = try await RealtimeFixture.openWithToken(base)
        // The client answers the close at once, as a real one does, so the stop need not wait out the server's
        // close timeout.
        let closing = Task {
            let frame = try await client.receive(timeout: .seconds(30))
            try? await client.sendClose()
            return frame
        }
        let started = ContinuousClock.now
        await emulator.stop()
        // Alone well under a second; the bound is LifecycleTests' (11 s was seen beside the other suites under load).
        #expect(ContinuousClock.now - started < .seconds(30 * Sanitizer.timeSlack))
        let frame = try await closing.value
        #expect(frame == .close(code: 1001, reason: "emulator stopping"), "\(frame)")
        await client.close()
    }
}
