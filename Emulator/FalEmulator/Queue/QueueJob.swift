import FalCore
import Foundation

/// One submitted request and its timeline. Its phase is computed from the clock, not driven by timers,
/// so a job costs nothing while it waits and every client sees a consistent progression.
struct QueueJob: Sendable {
    enum Outcome: Sendable, Equatable {
        case success
        /// The input broke the schema: the run ends at once with fal's 422 body.
        case invalidInput([ValidationIssue])
        /// An injected "COMPLETED with error".
        case injectedError
    }

    let id: String
    /// `[namespace/]owner/alias`, what the status/result/cancel URLs are keyed by.
    let app: String
    let endpointID: String
    let input: JSONValue
    /// Size of the request body, counted against the store's byte budget.
    let inputBytes: Int
    let controls: EmulatorControls
    let outcome: Outcome
    let webhookURL: String?
    /// `X-Fal-Request-Timeout`: the request fails if it has not started within this time.
    let startTimeout: Duration?
    let submittedAt: ContinuousClock.Instant
    let submittedDate: Date
    var cancelledAt: ContinuousClock.Instant?
    /// Set by the Platform API's payload deletion: the input and output are no longer served.
    var payloadsDeleted = false

    enum Phase: Equatable {
        case inQueue(position: Int)
        case inProgress
        case completed
        case cancelled
    }

    var queueDuration: Duration { .milliseconds(controls.queueDepth * controls.queueStepMilliseconds) }

    /// True when the queue wait exceeds the caller's start timeout: the request never runs.
    var timesOutBeforeStart: Bool { startTimeout.map { queueDuration > $0 } ?? false }

    /// Time from submit to completion; invalid input fails as soon as the request leaves the queue.
    var totalDuration: Duration {
        if timesOutBeforeStart, let startTimeout { return startTimeout }
        if case .invalidInput = outcome { return queueDuration }
        return queueDuration + .milliseconds(controls.latencyMilliseconds)
    }

    func phase(at now: ContinuousClock.Instant) -> Phase {
        if let cancelledAt, cancelledAt <= now { return .cancelled }
        let elapsed = now - submittedAt
        if timesOutBeforeStart { return elapsed < totalDuration ? .inQueue(position: queuePosition(elapsed)) : .completed }
        if elapsed < queueDuration {
            return .inQueue(position: queuePosition(elapsed))
        }
        return elapsed < totalDuration ? .inProgress : .completed
    }

    private func queuePosition(_ elapsed: Duration) -> Int {
        let step = Duration.milliseconds(max(controls.queueStepMilliseconds, 1))
        return max(0, controls.queueDepth - 1 - Int(clamping: elapsed / step, to: 0...Int.max))
    }

    /// The log lines emitted by `now`: spread evenly over the run, as a model's progress output would be.
    func logs(at now: ContinuousClock.Instant) -> [JSONValue] {
        let elapsed = now - submittedAt
        guard elapsed >= queueDuration, !timesOutBeforeStart else { return [] }
        let count = max(controls.logLines, 0)
        guard count > 0 else { return [] }
        let run = Duration.milliseconds(controls.latencyMilliseconds)
        var lines: [JSONValue] = []
        for index in 0..<count {
            let offset = count == 1 ? Duration.zero : run * (Double(index) / Double(count - 1))
            let at = queueDuration + offset
            guard at <= elapsed || phase(at: now) == .completed else { break }
            let seconds = at.inSeconds
            lines.append(.object([
                "message": .string(logMessage(index, of: count)),
                "level": "INFO",
                "source": "USER",
                "timestamp": .string(Self.timestamp(submittedDate.addingTimeInterval(seconds))),
            ]))
        }
        return lines
    }

    private func logMessage(_ index: Int, of count: Int) -> String {
        if index == 0 { return "Loading \(endpointID) (emulated)" }
        if index == count - 1 { return "Inference complete" }
        return "Step \(index) of \(count - 2)"
    }

    static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }
}
