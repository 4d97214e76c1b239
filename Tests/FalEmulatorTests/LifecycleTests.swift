import FalCore
import FalEmulator
import Foundation
import Testing

@Suite struct LifecycleTests {
    /// The CLI contract scripts rely on: one `listening on http://HOST:PORT` line, a clean stop on SIGTERM.
    @Test func cliAnnouncesItsURLAndStopsOnSIGTERM() async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("fal-emulator")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--host", "127.0.0.1", "--port", "0", "--schemas", EmulatorFixture.schemas.path, "--key", "cli-key"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        defer { Subprocess.stop(process) }

        let firstLine = try #require(await Subprocess.firstLine(pipe.fileHandleForReading))
        #expect(firstLine.hasPrefix("listening on http://127.0.0.1:"))
        let base = String(firstLine.dropFirst("listening on ".count))
        let unauthorised = try await TestHTTP.json("POST", "\(base)/run/fal-ai/illusion-diffusion", EmulatorFixture.illusionInput)
        #expect(unauthorised.status == 401)
        let authorised = try await TestHTTP.json("POST", "\(base)/run/fal-ai/illusion-diffusion", EmulatorFixture.illusionInput, key: "cli-key")
        #expect(authorised.status == 200)

        process.interrupt()  // SIGINT; SIGTERM takes the same path
        let stopDeadline = ContinuousClock.now + .seconds(15)
        while process.isRunning, ContinuousClock.now < stopDeadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
    }

    @Test func portsOutsideTheTCPRangeAreRefused() async throws {
        let emulator = try FalEmulator(configuration: EmulatorFixture.configuration { $0.port = 99_999 })
        await #expect(throws: EmulatorError.self) { try await emulator.start() }
        #expect(emulator.baseURL == nil)
    }

    /// Open streams and stalled bodies do not hold `stop()` hostage.
    @Test func stopEndsOpenStreamsPromptly() async throws {
        let emulator = try FalEmulator(configuration: EmulatorFixture.configuration())
        let base = try await emulator.start().absoluteString
        let slow = try await EmulatorFixture.submit(base, headers: [ControlHeaders.latency: "600000"])
        let stream = Task { try? await TestHTTP.send("GET", slow["status_url"]!.stringValue! + "/stream") }
        let stall = Task { try? await TestHTTP.send("GET", "\(base)/queue/fal-ai/illusion-diffusion/requests/x/status", headers: [ControlHeaders.failure: "stall", ControlHeaders.stallSeconds: "600"]) }
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        await emulator.stop()
        // 30 s (180 s under a sanitizer's slowdown) tells a prompt stop from one that waits out the 600 s stall. Alone
        // it takes well under a second; beside the other emulator suites in one process on 2 busy cores, 11 s was
        // seen (the cooperative pool is shared: the bound measures the neighbours there, not the stop).
        #expect(ContinuousClock.now - started < .seconds(30 * Sanitizer.timeSlack))
        _ = await stream.value
        _ = await stall.value
        #expect(emulator.baseURL == nil)
    }
}
