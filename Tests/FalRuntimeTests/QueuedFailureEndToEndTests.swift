import FalEmulator
import Foundation
import Testing
@testable import FalRuntime

/// Requests that are accepted into the queue and then complete with an error: the status only says
/// `COMPLETED` with `error`; the result endpoint answers the real error, which subscribe and result report.
extension RuntimeEndToEndTests {
    /// Passes local validation (JSONValue checks nothing) but the model's schema wants `width > 0`.
    static let zeroWidth: JSONValue = [
        "prompt": "a castle", "image_url": "https://example.com/p.png", "image_size": ["width": 0, "height": 512],
    ]

    @Test func subscribeReportsTheModelsValidationErrorWithFieldPaths() async throws {
        try await withEmulator(.libcurl) { fal, emulator, _ in
            let updates = Recorder<QueueStatus>()
            let error = await #expect(throws: FalError.self) {
                _ = try await fal.endpoint(Illusion.self).subscribe(Self.zeroWidth, onQueueUpdate: { updates.append($0) })
            }
            guard case .validation(let issues)? = error else { Issue.record("expected validation, got \(String(describing: error))"); return }
            #expect(issues.contains { $0.path.description == "image_size.width" })
            // It went through the queue: the status said COMPLETED with a validation error first.
            guard case .completed(_, _, _, let errorType)? = updates.values.last else { Issue.record("no COMPLETED update"); return }
            #expect(errorType == "validation_error")
            #expect(emulator.requestLog.entries.filter { $0.operation == .result }.map(\.status) == [422])
            #expect(!emulator.requestLog.entries.contains { $0.operation == .cancel })
        }
    }

    @Test func resultOfARequestThatFailedValidationIsTheValidationError() async throws {
        try await withEmulator(.libcurl) { fal, _, _ in
            let submission = try await fal.submit(Self.endpoint, input: Self.zeroWidth)
            for try await _ in fal.statusUpdates(Self.endpoint, requestID: submission.requestID) {}
            let error = await #expect(throws: FalError.self) {
                _ = try await fal.result(Self.endpoint, requestID: submission.requestID, as: JSONValue.self)
            }
            guard case .validation(let issues)? = error else { Issue.record("expected validation, got \(String(describing: error))"); return }
            #expect(issues.map(\.path.description).contains("image_size.width"))
        }
    }

    @Test func aRunnerErrorIsRequestFailedWithTheResultsDetail() async throws {
        try await withEmulator(.libcurl) { fal, _, _ in
            let enqueued = Recorder<String>()
            let options = RequestOptions(headers: ["X-Fal-Emulator-Failure": "error"])
            let error = await #expect(throws: FalError.self) {
                _ = try await fal.endpoint(Illusion.self).subscribe(Self.input, options: options, onEnqueue: { enqueued.append($0) })
            }
            let requestID = try #require(enqueued.values.first)
            guard case .requestFailed(let id, let message, let errorType)? = error else {
                Issue.record("expected requestFailed, got \(String(describing: error))"); return
            }
            #expect(id == requestID && errorType == "runner_error" && !message.isEmpty)
        }
    }

    @Test func aPassedStartTimeoutIsTimeoutAndTheUsers504IsNotRetried() async throws {
        try await withEmulator(.libcurl) { fal, emulator, _ in
            let enqueued = Recorder<String>()
            // Three queue positions of 700 ms outlast the 1.2 s start timeout, so fal gives up before running.
            let options = RequestOptions(
                startTimeout: .milliseconds(1200),
                headers: ["X-Fal-Emulator-Queue-Depth": "3", "X-Fal-Emulator-Queue-Step-Ms": "700"])
            let error = await #expect(throws: FalError.self) {
                _ = try await fal.endpoint(Illusion.self).subscribe(Self.input, options: options, onEnqueue: { enqueued.append($0) })
            }
            let requestID = try #require(enqueued.values.first)
            #expect(error == .timeout(requestID: requestID))
            // The client keeps 3 attempts here; the 504 carrying the timeout type must use only one.
            #expect(emulator.requestLog.entries.filter { $0.operation == .result }.map(\.status) == [504])
        }
    }

    @Test func theResultOfARemotelyCancelledRequestIsCancelled() async throws {
        try await withEmulator(.libcurl) { fal, _, _ in
            let submission = try await fal.submit(Self.endpoint, input: Self.input, options: Self.latency(30_000))
            try await fal.cancel(Self.endpoint, requestID: submission.requestID)
            for try await _ in fal.statusUpdates(Self.endpoint, requestID: submission.requestID) {}
            await #expect(throws: FalError.cancelled(requestID: submission.requestID)) {
                _ = try await fal.result(Self.endpoint, requestID: submission.requestID, as: JSONValue.self)
            }
        }
    }
}
