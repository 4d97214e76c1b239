import FalCore
import Foundation
import Testing

@testable import FalEmulator

/// The queue state machine at exact instants: no clocks, no HTTP, no timing flakiness.
@Suite struct QueueJobTimelineTests {
    static func job(depth: Int = 3, step: Int = 100, latency: Int = 400, logs: Int = 4, outcome: QueueJob.Outcome = .success, startTimeout: Duration? = nil) -> QueueJob {
        QueueJob(
            id: "r", app: "fal-ai/x", endpointID: "fal-ai/x", input: [:], inputBytes: 2,
            controls: EmulatorControls(latencyMilliseconds: latency, queueDepth: depth, queueStepMilliseconds: step, logLines: logs),
            outcome: outcome, webhookURL: nil, startTimeout: startTimeout, submittedAt: .now, submittedDate: Date(), cancelledAt: nil)
    }

    @Test func positionsCountDownThenRunsThenCompletes() {
        let job = Self.job()
        let at = { (milliseconds: Int) in job.submittedAt + .milliseconds(milliseconds) }
        #expect(job.phase(at: at(0)) == .inQueue(position: 2))
        #expect(job.phase(at: at(150)) == .inQueue(position: 1))
        #expect(job.phase(at: at(299)) == .inQueue(position: 0))
        #expect(job.phase(at: at(300)) == .inProgress)
        #expect(job.phase(at: at(699)) == .inProgress)
        #expect(job.phase(at: at(700)) == .completed)
    }

    @Test func logsAppearDuringTheRun() {
        let job = Self.job()
        let at = { (milliseconds: Int) in job.submittedAt + .milliseconds(milliseconds) }
        #expect(job.logs(at: at(299)).isEmpty)
        #expect(job.logs(at: at(300)).count == 1)
        #expect(job.logs(at: at(450)).count == 2)
        #expect(job.logs(at: at(700)).count == 4)
        #expect(job.logs(at: at(5_000)).count == 4)
    }

    @Test func invalidInputFailsWhenItLeavesTheQueue() {
        let job = Self.job(outcome: .invalidInput([ValidationIssue(path: .root, message: "is required")]))
        #expect(job.phase(at: job.submittedAt + .milliseconds(300)) == .completed)
    }

    @Test func startTimeoutEndsAWaitThatIsTooLong() {
        let job = Self.job(depth: 10, step: 100, startTimeout: .milliseconds(250))
        #expect(job.timesOutBeforeStart)
        #expect(job.phase(at: job.submittedAt + .milliseconds(249)) == .inQueue(position: 7))
        #expect(job.phase(at: job.submittedAt + .milliseconds(250)) == .completed)
        #expect(!Self.job(depth: 1, step: 100, startTimeout: .milliseconds(250)).timesOutBeforeStart)
    }

    @Test func cancellationWins() {
        var job = Self.job()
        job.cancelledAt = job.submittedAt + .milliseconds(100)
        #expect(job.phase(at: job.submittedAt + .milliseconds(50)) == .inQueue(position: 2))
        #expect(job.phase(at: job.submittedAt + .milliseconds(100)) == .cancelled)
    }
}
