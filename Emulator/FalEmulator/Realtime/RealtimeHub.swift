import FalCore
import Foundation
import NIOCore
import Synchronization

/// The open realtime WebSockets and the faults the emulator's controls put into them: what
/// `/_emulator/realtime/…` acts on. Connections are grouped by endpoint id; a control without one applies
/// to every connection.
final class RealtimeHub: Sendable {
    private struct State {
        var sessions: [Int: RealtimeSession] = [:]
        var nextID = 1
        var opened = 0
        /// Upgrades accepted: one more than `opened` while an accepted socket has not reached `serve` yet.
        var accepted = 0
        /// Result delays by endpoint id; "" applies to every endpoint without its own.
        var delays: [String: Int] = [:]
        var closed = Ring<JSONValue>(capacity: 100)
    }

    private let state = Mutex(State())
    let maxConnections: Int

    init(maxConnections: Int) { self.maxConnections = maxConnections }

    var count: Int { state.withLock { $0.sessions.count } }

    /// Counts an accepted upgrade, so that `shutdown` also waits for a socket whose session has not started.
    func accept() { state.withLock { $0.accepted += 1 } }

    /// Registers a connection for as long as `body` runs (its whole life), then keeps a summary of it.
    func serve(plan: RealtimePlan, channel: any Channel, emulator: EmulatorState, _ body: (RealtimeSession) async throws -> Void) async rethrows {
        let session = state.withLock { state -> RealtimeSession in
            let session = RealtimeSession(id: state.nextID, plan: plan, channel: channel, emulator: emulator)
            state.nextID += 1
            state.opened += 1
            state.sessions[session.id] = session
            return session
        }
        defer {
            state.withLock { state in
                state.sessions[session.id] = nil
                state.closed.append(summary(session))
            }
        }
        try await body(session)
    }

    func sessions(endpointID: String?) -> [RealtimeSession] {
        state.withLock { state in
            state.sessions.values.filter { endpointID == nil || $0.endpointID == endpointID }.sorted { $0.id < $1.id }
        }
    }

    // MARK: Controls

    /// Drops the matching connections with no close frame; returns how many.
    func drop(endpointID: String?) -> Int {
        let matching = sessions(endpointID: endpointID)
        for session in matching { session.dropAbruptly() }
        return matching.count
    }

    /// The matching connections send `INTERNAL_ERROR` with `reason`, then close; returns how many.
    func fail(endpointID: String?, reason: String) -> Int {
        let matching = sessions(endpointID: endpointID)
        for session in matching { session.send(.internalError(reason: reason)) }
        return matching.count
    }

    /// Every connection closes with 1001 (going away): the emulator is stopping. Waits (at most `timeout`: 1 s was
    /// too short on two busy cores)
    /// until each has said so, before the server's own graceful shutdown closes them with 1000. The list is
    /// taken again on every turn: a socket upgraded just before the stop registers its session a moment later
    /// (on a loaded machine, after a single listing), and would otherwise get the server's 1000.
    func shutdown(timeout: Duration = .seconds(5)) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (open, starting) = state.withLock { state in
                (state.sessions.values.sorted { $0.id < $1.id }, state.accepted > state.opened)
            }
            for session in open where session.ending == nil { session.send(.goingAway) }
            if !starting, open.allSatisfy({ $0.ending != nil }) { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Results of the endpoint (of every endpoint, without one) wait `milliseconds` more; 0 removes the delay.
    func setDelay(_ milliseconds: Int, endpointID: String?) {
        state.withLock { state in
            state.delays[endpointID ?? ""] = milliseconds > 0 ? milliseconds : nil
        }
        for session in sessions(endpointID: endpointID) { session.wake() }
    }

    func delayMilliseconds(for endpointID: String) -> Int {
        state.withLock { $0.delays[endpointID] ?? $0.delays[""] ?? 0 }
    }

    func resetDelays() { state.withLock { $0.delays = [:] } }

    // MARK: Reporting

    /// `GET /_emulator/realtime`.
    func json(tokens: RealtimeTokens) -> JSONValue {
        let (open, opened, delays, closed) = state.withLock { state in
            (state.sessions.values.sorted { $0.id < $1.id }, state.opened, state.delays, state.closed.elements)
        }
        return [
            "open": .array(open.map(summary)),
            "opened": .int(opened),
            "recently_closed": .array(closed),
            "delays_ms": .object(delays.reduce(into: [:]) { $0[$1.key.isEmpty ? "*" : $1.key] = .int($1.value) }),
            "tokens_issued": .int(tokens.issuedCount),
            "token_generation": .int(tokens.minimumGeneration),
        ]
    }

    private func summary(_ session: RealtimeSession) -> JSONValue {
        let counters = session.counters
        let credential: String = if case .token = session.plan.credential { "token" } else { "key" }
        return [
            "id": .int(session.id), "endpoint_id": .string(session.endpointID), "path": .string(session.plan.path),
            "credential": .string(credential), "max_buffering": session.plan.maxBuffering.map(JSONValue.int) ?? .null,
            "received": .int(counters.received), "answered": .int(counters.answered), "dropped": .int(counters.dropped),
            "rejected": .int(counters.rejected), "pending": .int(session.pendingCount),
            "ended": session.ending.map { .string($0.rawValue) } ?? .null,
        ]
    }
}
