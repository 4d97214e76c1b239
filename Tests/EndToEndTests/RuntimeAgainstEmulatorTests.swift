import FalEmulator
import FalSDK
import Foundation
import Synchronization
import Testing

/// The generated SDK over the libcurl runtime against the emulator: the happy paths of all four seed
/// endpoints, and the retry, timeout, cancellation and error paths driven by injected failures.
@Suite struct RuntimeAgainstEmulatorTests {
    @Test func subscribeToAllFourSeedEndpoints() async throws {
        let controls = EmulatorControls(latencyMilliseconds: 200, queueDepth: 2, queueStepMilliseconds: 100, logLines: 3)
        try await EmulatedFal.with(controls: controls) { fal, emulator in
            let updates = Mutex<[QueueStatus]>([])
            let illusion = try await fal.illusionDiffusion.subscribe(EmulatedFal.illusion, logs: true, onQueueUpdate: { status in
                updates.withLock { $0.append(status) }
            })
            #expect(illusion.seed == 3)
            #expect(illusion.image.width == 512 && illusion.image.height == 512)
            #expect(updates.withLock { $0.last?.isCompleted } == true)
            #expect(updates.withLock { $0.last?.logs.count } == 3)

            let sdxl = try await fal.fastSDXLImageToImage.subscribe(.init(imageURL: "https://x/y.png", prompt: "p", numImages: 2, imageSize: .landscape16x9))
            #expect(sdxl.images.count == 2 && sdxl.images.allSatisfy { $0.width == 1024 && $0.height == 576 })
            let flux = try await fal.fluxDifferentialDiffusion.subscribe(.init(prompt: "p", imageURL: "https://x/a.png", changeMapImageURL: "https://x/b.png", seed: 9))
            #expect(flux.seed == 9 && flux.images.count == 1)
            let lora = try await fal.loraImageToImage.subscribe(.init(modelName: "m", prompt: "p", numImages: 3))
            #expect(lora.images.count == 3 && lora.hasNSFWConcepts == [false, false, false])
            #expect(emulator.requestLog.entries.contains { $0.operation == .statusStream || $0.operation == .status })
        }
    }

    // A reset is not here: a run reset after it was sent may have started, so it is not resent (next test).
    @Test(arguments: ["429", "503"])
    func retryableFailuresAreRetriedUntilTheySucceed(_ mode: String) async throws {
        try await EmulatedFal.with { fal, emulator in
            let scenario = "e2e-\(mode)"
            let output = try await fal.illusionDiffusion.run(EmulatedFal.illusion, options: EmulatedFal.failing(mode, times: 2, scenario: scenario))
            #expect(output.seed == 3)
            #expect(emulator.requestLog.count(scenario: scenario) == .init(attempts: 3, failures: 2))
        }
    }

    /// No double billing (issue 11): a connection reset after the run was sent is reported, not resent.
    @Test func aResetRunIsNotSentAgain() async throws {
        try await EmulatedFal.with { fal, emulator in
            let failure = await EmulatedFal.failure { () async throws(FalError) in
                try await fal.illusionDiffusion.run(EmulatedFal.illusion, options: EmulatedFal.failing("reset", times: 2, scenario: "e2e-reset"))
            }
            guard case .transport? = failure else {
                Issue.record("expected a transport error, got \(String(describing: failure))")
                return
            }
            #expect(emulator.requestLog.count(scenario: "e2e-reset")?.attempts == 1)
        }
    }

    /// A status poll whose body stalls hits the client's request timeout and is tried again.
    ///
    /// Only the status call has the short timeout: a submit that timed out under load is (rightly) not
    /// resent, and was this test's flake with a 1 s timeout on every call. The status client's 3 s is short
    /// against the 120 s stall and long against a status answer on a loaded machine; should a retry still
    /// time out there, it is tried again, so exactly one failure is injected and at least two attempts made.
    @Test func aStalledBodyTimesOutAndIsRetried() async throws {
        var controls = EmulatorControls.immediate
        controls.failure = FailureInjection(mode: .stalledBody, times: 1, operations: [.status], stallSeconds: 120)
        try await EmulatedFal.with(controls: controls) { fal, emulator in
            let submission = try await fal.illusionDiffusion.submit(EmulatedFal.illusion)
            let statusClient = EmulatedFal.client(try #require(emulator.baseURL), requestTimeout: .seconds(3))
            let started = ContinuousClock.now
            let status = try await statusClient.illusionDiffusion.status(requestID: submission.requestID)
            #expect(status.isCompleted)
            #expect(ContinuousClock.now - started < .seconds(60))  // the 120 s stall was cut short by the timeout
            let scenario = "GET /queue/fal-ai/illusion-diffusion/requests/\(submission.requestID)/status"
            let count = try #require(emulator.requestLog.count(scenario: scenario))
            #expect(count.failures == 1, "one stalled body injected: \(count)")
            #expect(count.attempts >= 2, "the stalled poll was tried again: \(count)")
        }
    }

    @Test func persistentRateLimitSurfacesAsHTTPError() async throws {
        try await EmulatedFal.with { fal, emulator in
            let failure = await EmulatedFal.failure { () async throws(FalError) in
                try await fal.illusionDiffusion.run(EmulatedFal.illusion, options: EmulatedFal.failing("429", times: 100, scenario: "e2e-always"))
            }
            guard case .http(let status, _, _, _)? = failure else {
                Issue.record("expected an HTTP error, got \(String(describing: failure))")
                return
            }
            #expect(status == 429)
            #expect(emulator.requestLog.count(scenario: "e2e-always")?.attempts == 5)
        }
    }

    @Test func completedWithErrorIsARequestFailure() async throws {
        try await EmulatedFal.with { fal, _ in
            let failure = await EmulatedFal.failure { () async throws(FalError) in
                try await fal.illusionDiffusion.subscribe(EmulatedFal.illusion, options: RequestOptions(headers: [ControlHeaders.failure: "error"]))
            }
            guard case .requestFailed(_, let message, let errorType)? = failure else {
                Issue.record("expected a request failure, got \(String(describing: failure))")
                return
            }
            #expect(errorType == "runner_error")
            #expect(!message.isEmpty)
        }
    }

    @Test func subscribeTimeoutCancelsTheRemoteRequest() async throws {
        let stuck = EmulatorControls(latencyMilliseconds: 0, queueDepth: 1_000, queueStepMilliseconds: 1_000, logLines: 1)
        try await EmulatedFal.with(controls: stuck) { fal, emulator in
            let failure = await EmulatedFal.failure { () async throws(FalError) in
                try await fal.illusionDiffusion.subscribe(EmulatedFal.illusion, timeout: .milliseconds(1_500))
            }
            guard case .timeout(let requestID)? = failure else {
                Issue.record("expected a timeout, got \(String(describing: failure))")
                return
            }
            #expect(requestID != nil)
            // The runtime cancels the remote request after its deadline (bounded wait for it to arrive).
            var cancels = 0
            for _ in 0..<100 where cancels == 0 {
                cancels = emulator.requestLog.entries.filter { $0.operation == .cancel }.count
                if cancels == 0 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(cancels == 1)
        }
    }

    @Test func uploadsDirectAndMultipartAreServedBack() async throws {
        try await EmulatedFal.with(multipartThreshold: 6 * 1024 * 1024) { fal, emulator in
            let small = Data("small file".utf8)
            let smallURL = try await fal.storage.upload(small, contentType: "text/plain", fileName: "small.txt")
            let large = Data((0..<(12 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let largeURL = try await fal.storage.upload(large, contentType: "application/octet-stream", fileName: "large.bin")
            #expect(try await Self.download(smallURL) == small)
            #expect(try await Self.download(largeURL) == large)
            let parts = emulator.requestLog.entries.filter { $0.method == "PUT" && $0.path.contains("/multipart/") }
            #expect(parts.count == 2)  // 12 MiB in the default 10 MiB parts
        }
    }

    static func download(_ url: String) async throws -> Data {
        #if canImport(FoundationNetworking)
        let (data, _) = try await FoundationNetworkingSession.shared.data(from: URL(string: url)!)
        #else
        let (data, _) = try await URLSession.shared.data(from: URL(string: url)!)
        #endif
        return data
    }
}

#if canImport(FoundationNetworking)
import FoundationNetworking
typealias FoundationNetworkingSession = URLSession
#endif
