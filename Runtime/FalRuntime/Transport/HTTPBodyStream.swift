import Foundation
import Synchronization

/// A streamed response body: chunks as the transport receives them, for one consumer.
///
/// The transport's producer writes into a buffer of at most `bufferLimit` bytes (plus one chunk). When the
/// consumer falls behind, the producer is told to pause (libcurl pauses the transfer, URLSession suspends the
/// task) and is asked to go on once the consumer has drained half the buffer: memory stays bounded however
/// fast the server sends. Ending iteration (leaving the loop, dropping the iterator or the stream, or
/// cancelling the iterating task) tells the producer to abort the transfer.
public struct HTTPBodyStream: AsyncSequence, Sendable {
    /// Chunks of the body as they arrived; their sizes follow the network, not any framing in the body.
    public typealias Element = Data

    let channel: HTTPBodyChannel
    private let lifetime: Lifetime

    /// Default buffer: enough for any server-sent event burst, small beside the process.
    public static let defaultBufferLimit = 1 << 20

    /// A stream and the producer a transport feeds it through.
    public static func makeStream(bufferLimit: Int = defaultBufferLimit) -> (stream: HTTPBodyStream, producer: HTTPBodyProducer) {
        let channel = HTTPBodyChannel(limit: Swift.max(1, bufferLimit))
        return (HTTPBodyStream(channel: channel), HTTPBodyProducer(channel: channel))
    }

    private init(channel: HTTPBodyChannel) {
        self.channel = channel
        self.lifetime = Lifetime(channel)
    }

    /// The iterator of the stream's one consumer; dropping it aborts the transfer.
    public func makeAsyncIterator() -> Iterator { Iterator(channel: channel, lifetime: Lifetime(channel), stream: lifetime) }

    /// Ends the transfer when dropped; keeps the stream's own lifetime alive, so dropping the stream while
    /// iterating does not.
    public struct Iterator: AsyncIteratorProtocol {
        let channel: HTTPBodyChannel
        let lifetime: Lifetime
        let stream: Lifetime

        /// The next chunk, waiting for it; nil once the body ended. Throws the transfer's failure, or
        /// `CancellationError` when the iterating task is cancelled.
        public mutating func next() async throws -> Data? { try await channel.next() }
    }

    /// Cancels the channel when the last copy of its owner (stream or iterator) goes away.
    final class Lifetime: Sendable {
        let channel: HTTPBodyChannel
        init(_ channel: HTTPBodyChannel) { self.channel = channel }
        deinit { channel.cancel() }
    }
}

/// The transport's side of an `HTTPBodyStream`.
public struct HTTPBodyProducer: Sendable {
    let channel: HTTPBodyChannel

    /// What became of a chunk given to `offer(_:)` or `push(_:)`.
    public enum OfferResult: Sendable, Equatable {
        /// Taken; send more.
        case accepted
        /// The buffer is full and the chunk was *not* taken: pause, and offer it again after `onDemand`.
        case full
        /// The consumer is gone: abort the transfer.
        case terminated
    }

    /// Offers a chunk the producer can hold back (libcurl re-delivers data refused with a pause).
    public func offer(_ chunk: Data) -> OfferResult { channel.offer(chunk, force: false) }

    /// Takes a chunk the producer cannot hold back (URLSession has already read it). Returns `.full` when
    /// the buffer is now over its limit, so the producer should pause until `onDemand`; the chunk is kept.
    /// A producer that cannot pause in time (Linux's URLSession keeps delivering what it read ahead) is cut
    /// off at `16 × bufferLimit`: the stream then fails with `TransportFailure` kind `.limit` and this
    /// returns `.terminated`, so the producer aborts.
    public func push(_ chunk: Data) -> OfferResult { channel.offer(chunk, force: true) }

    /// Ends the body: normally (nil) or with a failure, delivered after the chunks already buffered.
    public func finish(throwing error: (any Error)? = nil) { channel.finish(error) }

    /// Called (on the consumer's thread, no lock held) once a paused producer may send again.
    public func onDemand(_ handler: @escaping @Sendable () -> Void) { channel.setDemandHandler(handler) }

    /// Called once when the consumer stops before the body ended: the producer aborts the transfer.
    public func onTermination(_ handler: @escaping @Sendable () -> Void) { channel.setTerminationHandler(handler) }
}

/// The bounded buffer between a transport and the consumer of a body.
final class HTTPBodyChannel: Sendable {
    private struct State {
        var chunks: [Data] = []
        var head = 0
        var bufferedBytes = 0
        var paused = false
        var finished = false
        var failure: (any Error)?
        var cancelled = false
        var waiter: CheckedContinuation<Delivery, any Error>?
        var onDemand: (@Sendable () -> Void)?
        var onTermination: (@Sendable () -> Void)?
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    /// Bytes waiting for the consumer (tests show the buffer stays bounded).
    var bufferedBytes: Int { state.withLock { $0.bufferedBytes } }

    func setDemandHandler(_ handler: @escaping @Sendable () -> Void) { state.withLock { $0.onDemand = handler } }

    func setTerminationHandler(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.cancelled && !state.finished { return true }
            state.onTermination = handler
            return false
        }
        if runNow { handler() }
    }

    func offer(_ chunk: Data, force: Bool) -> HTTPBodyProducer.OfferResult {
        enum Action { case none, deliver(CheckedContinuation<Delivery, any Error>) }
        var action = Action.none
        let result = state.withLock { state -> HTTPBodyProducer.OfferResult in
            if state.cancelled || state.finished { return .terminated }
            if let waiter = state.waiter {
                state.waiter = nil
                action = .deliver(waiter)
                return .accepted
            }
            if state.bufferedBytes >= limit && !force {
                state.paused = true
                return .full
            }
            if force && state.bufferedBytes + chunk.count > limit * 16 {
                state.finished = true
                state.failure = TransportFailure(
                    kind: .limit, code: 0,
                    message: "the transport kept delivering \(state.bufferedBytes) bytes the consumer had not read; stopped at \(limit * 16)")
                state.onTermination = nil
                state.onDemand = nil
                return .terminated
            }
            state.chunks.append(chunk)
            state.bufferedBytes += chunk.count
            if state.bufferedBytes >= limit {
                state.paused = true
                return force ? .full : .accepted
            }
            return .accepted
        }
        if case .deliver(let waiter) = action { waiter.resume(returning: .chunk(chunk)) }
        return result
    }

    func finish(_ error: (any Error)?) {
        let waiter = state.withLock { state -> CheckedContinuation<Delivery, any Error>? in
            guard !state.finished else { return nil }
            state.finished = true
            state.failure = error
            state.onTermination = nil
            state.onDemand = nil
            if state.cancelled { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .retry)  // the consumer looks again and finds the end or the failure
    }

    /// The consumer is gone: drop what is buffered and abort the producer.
    func cancel() {
        let (waiter, termination) = state.withLock { state -> (CheckedContinuation<Delivery, any Error>?, (@Sendable () -> Void)?) in
            guard !state.cancelled else { return (nil, nil) }
            state.cancelled = true
            state.chunks = []
            state.head = 0
            state.bufferedBytes = 0
            defer { state.waiter = nil; state.onTermination = nil; state.onDemand = nil }
            return (state.waiter, state.finished ? nil : state.onTermination)
        }
        waiter?.resume(throwing: CancellationError())
        termination?()
    }

    func next() async throws -> Data? {
        while true {
            if Task.isCancelled {  // even while chunks keep coming, a cancelled reader stops
                cancel()
                throw CancellationError()
            }
            if let step = try take() { return step.chunk }
            let delivery: Delivery = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Delivery, any Error>) in
                    let ready = state.withLock { state -> Bool in
                        if state.cancelled || state.head < state.chunks.count || state.finished { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume(returning: .retry) }
                }
            } onCancel: {
                self.cancel()
            }
            switch delivery {
            case .chunk(let chunk): return chunk
            case .end: return nil
            case .retry: continue
            }
        }
    }

    /// What a waiting consumer is woken with.
    enum Delivery: Sendable {
        case chunk(Data)
        case end
        /// State changed while the waiter was being installed: look again.
        case retry
    }

    /// The next buffered chunk (`.some(nil)` at the end), or nil when the consumer must wait.
    private func take() throws -> (chunk: Data?, Void)? {
        enum Step { case chunk(Data, demand: (@Sendable () -> Void)?), end, fail(any Error), wait }
        let step = state.withLock { state -> Step in
            if state.cancelled { return .fail(CancellationError()) }
            if state.head < state.chunks.count {
                let chunk = state.chunks[state.head]
                state.chunks[state.head] = Data()
                state.head += 1
                if state.head == state.chunks.count {
                    state.chunks.removeAll(keepingCapacity: true)
                    state.head = 0
                } else if state.head >= 64 && state.head * 2 >= state.chunks.count {
                    state.chunks.removeFirst(state.head)
                    state.head = 0
                }
                state.bufferedBytes -= chunk.count
                var demand: (@Sendable () -> Void)?
                if state.paused && state.bufferedBytes <= limit / 2 {
                    state.paused = false
                    demand = state.onDemand
                }
                return .chunk(chunk, demand: demand)
            }
            if state.finished {
                if let failure = state.failure {
                    state.failure = nil
                    state.cancelled = true  // the failure is reported once; later reads end with CancellationError
                    return .fail(failure)
                }
                return .end
            }
            return .wait
        }
        switch step {
        case .chunk(let chunk, let demand):
            demand?()
            return (chunk, ())
        case .end: return (nil, ())
        case .fail(let error): throw error
        case .wait: return nil
        }
    }
}
