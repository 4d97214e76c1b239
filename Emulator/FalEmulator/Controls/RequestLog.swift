import FalCore
import Foundation
import Synchronization

/// Every request the emulator answered, and per-scenario attempt counts (how many submits a retry produced).
/// Bounded: the most recent `capacity` entries and at most `capacity` scenarios are kept.
public final class RequestLog: Sendable {
    public struct Entry: Sendable, Hashable {
        public var method: String
        public var path: String
        public var operation: Operation?
        public var scenario: String
        public var status: Int
        /// The injected failure this request got, if any.
        public var injected: FailureInjection.Mode?
    }

    public struct ScenarioCount: Sendable, Hashable {
        public var attempts: Int
        public var failures: Int

        public init(attempts: Int, failures: Int) {
            self.attempts = attempts
            self.failures = failures
        }
    }

    private struct State {
        var entries: Ring<Entry>
        var total = 0
        var scenarios: [String: ScenarioCount] = [:]
        /// Per scenario: the failure setting being counted and its attempts so far.
        var injectionAttempts: [String: (source: String, count: Int)] = [:]
        var scenarioOrder: Ring<String>

        init(capacity: Int) {
            entries = Ring(capacity: capacity)
            scenarioOrder = Ring(capacity: capacity)
        }
    }

    private let state: Mutex<State>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        state = Mutex(State(capacity: capacity))
    }

    /// Counts an attempt of `scenario`. With an `injectionSource` (the failure setting that applies to it),
    /// also counts it toward that setting and returns its 1-based number since the setting was first seen
    /// for this scenario: a new setting starts again from 1, whatever traffic the scenario had before.
    @discardableResult
    func beginAttempt(scenario: String, injectionSource: String? = nil) -> Int? {
        state.withLock { state -> Int? in
            if state.scenarios[scenario] == nil, let evicted = state.scenarioOrder.append(scenario) {
                state.scenarios[evicted] = nil
                state.injectionAttempts[evicted] = nil
            }
            state.scenarios[scenario, default: ScenarioCount(attempts: 0, failures: 0)].attempts += 1
            guard let injectionSource else { return nil }
            var counted = state.injectionAttempts[scenario].flatMap { $0.source == injectionSource ? $0 : nil } ?? (source: injectionSource, count: 0)
            counted.count += 1
            state.injectionAttempts[scenario] = counted
            return counted.count
        }
    }

    func record(_ entry: Entry) {
        state.withLock { state in
            state.total += 1
            if entry.injected != nil { state.scenarios[entry.scenario]?.failures += 1 }
            state.entries.append(entry)
        }
    }

    public var entries: [Entry] { state.withLock { $0.entries.elements } }
    public var total: Int { state.withLock { $0.total } }
    public func count(scenario: String) -> ScenarioCount? { state.withLock { $0.scenarios[scenario] } }

    func reset() { state.withLock { [capacity] in $0 = State(capacity: capacity) } }

    /// `GET /_emulator/requests`: `{total, scenarios: {name: {attempts, failures}}, by_operation, recent: [...]}`.
    var json: JSONValue {
        state.withLock { state in
            var byOperation: [String: JSONValue] = [:]
            let entries = state.entries.elements
            for entry in entries {
                let key = entry.operation?.rawValue ?? "other"
                byOperation[key] = .int((byOperation[key].flatMap { if case .int(let n) = $0 { n } else { nil } } ?? 0) + 1)
            }
            return .object([
                "total": .int(state.total),
                "scenarios": .object(state.scenarios.mapValues { .object(["attempts": .int($0.attempts), "failures": .int($0.failures)]) }),
                "by_operation": .object(byOperation),
                "recent": .array(entries.suffix(200).map { entry in
                    .object([
                        "method": .string(entry.method), "path": .string(entry.path),
                        "operation": entry.operation.map { .string($0.rawValue) } ?? .null,
                        "scenario": .string(entry.scenario), "status": .int(entry.status),
                        "injected": entry.injected.map { .string($0.rawValue) } ?? .null,
                    ])
                }),
            ])
        }
    }
}
