import FalCore
import Synchronization

/// Submitted requests, bounded by count and by input bytes: beyond either budget the oldest are evicted
/// (their URLs then answer 404, as fal's do once results expire). Fabricated results are cached once computed.
final class JobStore: Sendable {
    private struct State {
        var jobs: [String: QueueJob] = [:]
        var results: [String: JSONValue] = [:]
        var order: [String] = []
        var orderStart = 0
        var bytes = 0
    }

    private let state = Mutex(State())
    let capacity: Int
    let capacityBytes: Int

    init(capacity: Int, capacityBytes: Int) {
        self.capacity = max(1, capacity)
        self.capacityBytes = max(1, capacityBytes)
    }

    func insert(_ job: QueueJob) {
        state.withLock { state in
            state.jobs[job.id] = job
            state.order.append(job.id)
            state.bytes += job.inputBytes
            while state.jobs.count > capacity || (state.bytes > capacityBytes && state.jobs.count > 1), state.orderStart < state.order.count {
                let evicted = state.order[state.orderStart]
                state.orderStart += 1
                state.bytes -= state.jobs.removeValue(forKey: evicted)?.inputBytes ?? 0
                state.results[evicted] = nil
            }
            // Compact the order list now and then so it stays proportional to capacity.
            if state.orderStart > capacity {
                state.order.removeFirst(state.orderStart)
                state.orderStart = 0
            }
        }
    }

    func job(_ id: String) -> QueueJob? { state.withLock { $0.jobs[id] } }

    var count: Int { state.withLock { $0.jobs.count } }

    /// Marks a job cancelled unless it already finished; returns the phase it was in, or nil if unknown.
    func cancel(_ id: String, at now: ContinuousClock.Instant) -> QueueJob.Phase? {
        state.withLock { state in
            guard var job = state.jobs[id] else { return nil }
            let phase = job.phase(at: now)
            if phase != .completed && phase != .cancelled {
                job.cancelledAt = now
                state.jobs[id] = job
            }
            return phase
        }
    }

    /// The cached result, or computes it with `make` (outside the lock) and caches it.
    func result(for job: QueueJob, make: (QueueJob) -> JSONValue) -> JSONValue {
        if let cached = state.withLock({ $0.results[job.id] }) { return cached }
        let made = make(job)
        state.withLock { state in
            if state.jobs[job.id] != nil { state.results[job.id] = made }
        }
        return made
    }

    /// Every stored job, oldest first (the Platform API's usage and request listings).
    var all: [QueueJob] {
        state.withLock { state in state.order[state.orderStart...].compactMap { state.jobs[$0] } }
    }

    /// The job's result as computed so far (nil until someone asked for it, or after its payloads were deleted).
    func cachedResult(_ id: String) -> JSONValue? { state.withLock { $0.results[id] } }

    /// Forgets a job's input and output (`DELETE /v1/models/requests/{id}/payloads`); false for an unknown id.
    func deletePayloads(_ id: String) -> Bool {
        state.withLock { state in
            guard var job = state.jobs[id] else { return false }
            job.payloadsDeleted = true
            state.jobs[id] = job
            state.results[id] = nil
            return true
        }
    }

    func removeAll() { state.withLock { $0 = State() } }
}
