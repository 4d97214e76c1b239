import FalCore
import FalEmulator
import Foundation
import Testing

@Suite struct FailureInjectionTests {
    @Test func rateLimitFailsTheFirstAttemptsThenSucceeds() async throws {
        try await EmulatorFixture.with { _, base in
            let headers = [ControlHeaders.failure: "429", ControlHeaders.failureTimes: "2", ControlHeaders.scenario: "retry-429"]
            var statuses: [Int] = []
            for _ in 0..<3 {
                let answer = try await TestHTTP.json("POST", "\(base)/queue/fal-ai/illusion-diffusion", EmulatorFixture.illusionInput, headers: headers)
                statuses.append(answer.status)
                if answer.status == 429 {
                    #expect(answer.header("x-fal-request-id") != nil)
                    #expect(answer.json?["detail"] != nil)
                }
            }
            #expect(statuses == [429, 429, 200])
            let logAnswer = try await TestHTTP.send("GET", "\(base)/_emulator/requests")
            let log = try #require(logAnswer.json)
            #expect(log["scenarios"]?["retry-429"] == ["attempts": 3, "failures": 2])
        }
    }

    @Test func ingress503LooksLikeNginx() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.json("POST", "\(base)/queue/fal-ai/illusion-diffusion", EmulatorFixture.illusionInput, headers: [ControlHeaders.failure: "503"])
            #expect(answer.status == 503)
            #expect(answer.header("x-fal-request-id") == nil)
            #expect(answer.text.contains("nginx"))
        }
    }

    @Test func connectionResetGivesATransportError() async throws {
        try await EmulatorFixture.with { emulator, base in
            await #expect(throws: (any Error).self) {
                _ = try await TestHTTP.json("POST", "\(base)/queue/fal-ai/illusion-diffusion", EmulatorFixture.illusionInput, headers: [ControlHeaders.failure: "reset"])
            }
            // The server is unharmed.
            let after = try await TestHTTP.json("POST", "\(base)/queue/fal-ai/illusion-diffusion", EmulatorFixture.illusionInput)
            #expect(after.status == 200)
            #expect(emulator.requestLog.entries.contains { $0.injected == .connectionReset })
        }
    }

    @Test func stalledBodyTimesTheClientOut() async throws {
        try await EmulatorFixture.with { _, base in
            let started = ContinuousClock.now
            await #expect(throws: (any Error).self) {
                _ = try await TestHTTP.send(
                    "GET", "\(base)/queue/fal-ai/illusion-diffusion/requests/x/status",
                    headers: [ControlHeaders.failure: "stall", ControlHeaders.stallSeconds: "5"], timeout: 0.5)
            }
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    @Test func completedWithErrorReportsTheErrorInStatusAndResult() async throws {
        try await EmulatorFixture.with { _, base in
            let submitted = try await EmulatorFixture.submit(base, headers: [ControlHeaders.failure: "error"])
            let statuses = try await EmulatorFixture.pollUntilCompleted(submitted)
            let final = try #require(statuses.last)
            #expect(final["error"]?.stringValue?.isEmpty == false)
            #expect(final["error_type"] == "runner_error")
            let result = try await TestHTTP.send("GET", submitted["response_url"]!.stringValue!)
            #expect(result.status == 500)
            #expect(result.header("x-fal-error-type") == "runner_error")
        }
    }

    @Test func emulatorWideControlsTargetOperations() async throws {
        var controls = EmulatorControls.immediate
        controls.failure = FailureInjection(mode: .rateLimited, times: 1, operations: [.status])
        try await EmulatorFixture.with(EmulatorFixture.configuration(controls: controls)) { _, base in
            let submitted = try await EmulatorFixture.submit(base)  // submit is not targeted
            let statusURL = submitted["status_url"]!.stringValue!
            let first = try await TestHTTP.send("GET", statusURL)
            let second = try await TestHTTP.send("GET", statusURL)
            #expect(first.status == 429)
            #expect(second.status == 200)
        }
    }

    @Test func controlsCanBeChangedAtRuntime() async throws {
        try await EmulatorFixture.with { _, base in
            let put = try await TestHTTP.json("PUT", "\(base)/_emulator/controls", ["failure": ["mode": "503", "times": 1]])
            #expect(put.status == 200)
            let first = try await TestHTTP.json("POST", "\(base)/run/fal-ai/illusion-diffusion", EmulatorFixture.illusionInput)
            let second = try await TestHTTP.json("POST", "\(base)/run/fal-ai/illusion-diffusion", EmulatorFixture.illusionInput)
            #expect([first.status, second.status] == [Int]([503, 200]))
        }
    }
}
