import Foundation
import Synchronization

/// The bounded queue between a connection's reader (its I/O thread or task) and the one consumer of
/// `messages`. The reader asks `hasRoom` before reading more from the socket; when the consumer takes
/// messages and the queue drops below its limit, `onDemand` tells the reader to go on.
final class WebSocketInbox: Sendable {
    private struct State {
        var queue: [WebSocketMessage] = []
        var head = 0
        var bytes = 0
        var finished = false
        var failure: (any Error)?
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    /// Bytes of messages held before `hasRoom` turns false.
    let limit: Int
    private let state = Mutex(State())
    private let onDemand: @Sendable () -> Void

    init(limit: Int, onDemand: @escaping @Sendable () -> Void) {
        self.limit = max(1, limit)
        self.onDemand = onDemand
    }

    /// Whether the reader may read more (the consumer is not behind by `limit` bytes).
    var hasRoom: Bool { state.withLock { $0.bytes < limit } }

    /// Bytes waiting for the consumer (tests show it stays bounded).
    var bufferedBytes: Int { state.withLock { $0.bytes } }

    /// A sequence over `next()`, for `WebSocketConnection.messages`.
    func makeStream() -> AsyncThrowingStream<WebSocketMessage, any Error> {
        AsyncThrowingStream(unfolding: { [self] in try await self.next() })
    }

    /// Adds a received message (the reader; it checks `hasRoom` first, so one message may go over).
    func push(_ message: WebSocketMessage) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.finished else { return [] }
            state.queue.append(message)
            state.bytes += message.byteCount
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Ends the sequence after the queued messages: normally (nil) or by throwing `error`.
    func finish(_ error: (any Error)?) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.finished else { return [] }
            state.finished = true
            state.failure = error
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The next message, waiting for one; nil after an orderly end; throws the connection's failure once,
    /// or `CancellationError` if the consuming task is cancelled.
    func next() async throws -> WebSocketMessage? {
        while true {
            try Task.checkCancellation()
            enum Step { case message(WebSocketMessage, demand: Bool), end, fail(any Error), wait }
            let step = state.withLock { state -> Step in
                if state.head < state.queue.count {
                    let message = state.queue[state.head]
                    state.queue[state.head] = .binary(Data())
                    state.head += 1
                    if state.head == state.queue.count {
                        state.queue.removeAll(keepingCapacity: state.queue.count <= 64)
                        state.head = 0
                    } else if state.head >= 64, state.head * 2 >= state.queue.count {
                        state.queue.removeFirst(state.head)
                        state.head = 0
                    }
                    let wasFull = state.bytes >= limit
                    state.bytes -= message.byteCount
                    return .message(message, demand: wasFull && state.bytes < limit)
                }
                if state.finished {
                    if let failure = state.failure {
                        state.failure = nil  // reported once; the sequence is over after it
                        return .fail(failure)
                    }
                    return .end
                }
                return .wait
            }
            switch step {
            case .message(let message, let demand):
                if demand { onDemand() }
                return message
            case .end: return nil
            case .fail(let error): throw error
            case .wait: await waitForChange()
            }
        }
    }

    /// Suspends until a message arrives, the sequence ends, or the task is cancelled.
    private func waitForChange() async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if Task.isCancelled || state.head < state.queue.count || state.finished { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
