import Foundation
import Synchronization

/// A request body produced while it is sent (a proxy forwarding its caller's upload): chunks from any
/// `AsyncSequence` of `Data`, pulled only as fast as the transport sends them.
///
/// The transport reads through a buffer of at most `bufferLimit` bytes: the task that iterates `chunks`
/// waits while the buffer is full, so a fast source and a slow server cost the buffer, not the body.
/// The body is read once: a transport never sends it a second time (a request whose connection died is
/// failed, not silently resent). `length`, when known, is sent as `Content-Length`; a source that ends
/// early or delivers more fails the transfer. Without it the body goes chunked (HTTP/1.1).
///
/// `HTTPTransport` (libcurl) sends it; `URLSessionTransport` refuses it with `TransportFailure` kind `.other`.
public struct HTTPRequestBodySource: Sendable {
    /// Bytes the body will have, when known (sent as `Content-Length`).
    public let length: Int64?
    /// Most bytes read ahead of the transport.
    public let bufferLimit: Int
    let chunks: @Sendable () -> any AsyncIteratorBox

    /// A body read from `chunks` as it is sent; `length` is its size when known.
    public init<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, length: Int64? = nil, bufferLimit: Int = 1 << 20
    ) where Chunks.Element == Data {
        self.length = length
        self.bufferLimit = max(16 * 1024, bufferLimit)
        self.chunks = { ConcreteIteratorBox(chunks.makeAsyncIterator()) }
    }

    private init(length: Int64?, bufferLimit: Int, chunks: @escaping @Sendable () -> any AsyncIteratorBox) {
        self.length = length
        self.bufferLimit = bufferLimit
        self.chunks = chunks
    }

    /// The same body, failing the transfer once more than `maximum` bytes came from the source.
    public func limited(to maximum: Int64) -> HTTPRequestBodySource {
        let chunks = self.chunks
        return HTTPRequestBodySource(length: length, bufferLimit: bufferLimit) { LimitedIteratorBox(chunks(), maximum: maximum) }
    }

    /// The pump that moves the body from its source into what the transport reads, started at once.
    func startPump(idleTimeout: Duration?) -> RequestBodyPump {
        RequestBodyPump(source: self, idleTimeout: idleTimeout)
    }
}

/// Type-erased iteration of a body's source (the iterator lives in one task only).
protocol AsyncIteratorBox: AnyObject {
    func next() async throws -> Data?
}

private final class ConcreteIteratorBox<Iterator: AsyncIteratorProtocol>: AsyncIteratorBox where Iterator.Element == Data {
    var iterator: Iterator
    init(_ iterator: Iterator) { self.iterator = iterator }
    func next() async throws -> Data? { try await iterator.next() }
}

/// A source that fails once it delivered more than `maximum` bytes.
private final class LimitedIteratorBox: AsyncIteratorBox {
    let base: any AsyncIteratorBox
    let maximum: Int64
    var seen: Int64 = 0
    init(_ base: any AsyncIteratorBox, maximum: Int64) {
        self.base = base
        self.maximum = maximum
    }
    func next() async throws -> Data? {
        guard let chunk = try await base.next() else { return nil }
        seen += Int64(chunk.count)
        if seen > maximum { throw TransportFailure(kind: .limit, code: 0, message: "the request body exceeds \(maximum) bytes") }
        return chunk
    }
}

/// Moves a streamed request body from its source into a bounded buffer the transport reads from without
/// blocking (libcurl's read callback runs on its event loop): `read` copies what is there, or says "wait",
/// and `onData` is called once the transport should ask again.
final class RequestBodyPump: Sendable {
    /// What `read` found.
    enum ReadResult: Equatable {
        /// This many bytes were copied.
        case bytes(Int)
        /// Nothing buffered yet: pause; `onData` fires when there is.
        case wait
        /// The body is complete.
        case end
        /// The source failed, was too short or too long, or went silent: abort the transfer.
        case failed
    }

    private struct State {
        var chunks: [Data] = []
        var offsetInFirst = 0
        var buffered = 0
        var delivered: Int64 = 0
        var sourceEnded = false
        var failure: String?
        var failedOnLimit = false
        var readerWaiting = false
        var space: CheckedContinuation<Void, Never>?
        var onData: (@Sendable () -> Void)?
        var lastProgress = ContinuousClock.now
        var stopped = false
    }

    private let state = Mutex(State())
    private let limit: Int
    private let expectedLength: Int64?
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(source: HTTPRequestBodySource, idleTimeout: Duration?) {
        limit = source.bufferLimit
        expectedLength = source.length
        let makeIterator = source.chunks
        let pumping = Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.pump(makeIterator()) }
                if let idleTimeout {
                    group.addTask { await self.watch(idleTimeout: idleTimeout) }
                }
                await group.next()
                group.cancelAll()
            }
        }
        task.withLock { $0 = pumping }
    }

    /// Why the body failed, for the transfer's error message.
    var failureReason: String? { state.withLock { $0.failure } }
    /// Whether it failed because the source went over a limit (`limited(to:)`): the transfer fails with `.limit`.
    var failedOnLimit: Bool { state.withLock { $0.failedOnLimit } }

    /// Sets what to call (from the pump's task, no lock held) once a waiting reader can read again.
    func onData(_ handler: @escaping @Sendable () -> Void) { state.withLock { $0.onData = handler } }

    /// Copies up to `capacity` bytes into `buffer`; never blocks.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> ReadResult {
        var resumeSource: CheckedContinuation<Void, Never>?
        let result = state.withLock { state -> ReadResult in
            if state.failure != nil { return .failed }
            var copied = 0
            while copied < capacity, let first = state.chunks.first {
                let available = first.count - state.offsetInFirst
                let take = min(available, capacity - copied)
                first.withUnsafeBytes { bytes in
                    (buffer + copied).copyMemory(from: bytes.baseAddress! + state.offsetInFirst, byteCount: take)
                }
                copied += take
                state.offsetInFirst += take
                if state.offsetInFirst == first.count {
                    state.chunks.removeFirst()
                    state.offsetInFirst = 0
                }
            }
            state.buffered -= copied
            state.delivered += Int64(copied)
            if copied > 0 {
                state.lastProgress = .now
                if state.buffered <= limit / 2 { resumeSource = state.space; state.space = nil }
                return .bytes(copied)
            }
            if state.sourceEnded { return .end }
            state.readerWaiting = true
            return .wait
        }
        resumeSource?.resume()
        return result
    }

    /// Stops reading the source (the transfer ended); safe to call more than once.
    func stop() {
        let space = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.stopped = true
            state.onData = nil
            defer { state.space = nil }
            return state.space
        }
        space?.resume()
        task.withLock { $0?.cancel() }
    }

    private func pump(_ iterator: any AsyncIteratorBox) async {
        var received: Int64 = 0
        do {
            while let chunk = try await iterator.next() {
                guard !chunk.isEmpty else { continue }
                received += Int64(chunk.count)
                if let expectedLength, received > expectedLength {
                    fail("the body is longer than its Content-Length of \(expectedLength) bytes")
                    return
                }
                guard await append(chunk) else { return }
            }
            if let expectedLength, received != expectedLength {
                fail("the body ended after \(received) of its \(expectedLength) bytes")
                return
            }
            finishSource()
        } catch let failure as TransportFailure where failure.kind == .limit {
            fail(failure.message, onLimit: true)
        } catch is CancellationError {
            fail("the body's source was cancelled")
        } catch {
            fail("the body's source failed: \(error)")
        }
    }

    /// Adds a chunk, waiting first while the buffer is full; false once the transfer is gone.
    private func append(_ chunk: Data) async -> Bool {
        enum Step { case appended((@Sendable () -> Void)?), gone, full }
        while true {
            let step = state.withLock { state -> Step in
                if state.stopped || state.failure != nil { return .gone }
                if state.buffered >= limit { return .full }
                state.chunks.append(chunk)
                state.buffered += chunk.count
                state.lastProgress = .now
                if state.readerWaiting {
                    state.readerWaiting = false
                    return .appended(state.onData)
                }
                return .appended(nil)
            }
            switch step {
            case .appended(let notify):
                notify?()
                return true
            case .gone:
                return false
            case .full:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if state.stopped || state.failure != nil || state.buffered < limit { return true }
                        state.space = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    private func finishSource() {
        let notify = state.withLock { state -> (@Sendable () -> Void)? in
            state.sourceEnded = true
            if state.readerWaiting { state.readerWaiting = false; return state.onData }
            return nil
        }
        notify?()
    }

    private func fail(_ reason: String, onLimit: Bool = false) {
        let (notify, space) = state.withLock { state -> ((@Sendable () -> Void)?, CheckedContinuation<Void, Never>?) in
            if state.failure == nil, !state.stopped {
                state.failure = reason
                state.failedOnLimit = onLimit
            }
            defer { state.space = nil }
            if state.readerWaiting {
                state.readerWaiting = false
                return (state.onData, state.space)
            }
            return (nil, state.space)
        }
        space?.resume()
        notify?()
    }

    /// Fails the body when the source delivers nothing for `idleTimeout` while the transport waits for it
    /// (a caller that stops sending mid-upload must not hold the upstream connection open without end).
    private func watch(idleTimeout: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(max(10, min(1000, Int(idleTimeout.wholeMilliseconds / 4)))))
            let stalled = state.withLock { state -> Bool in
                if state.sourceEnded || state.failure != nil || state.stopped { return false }
                return state.readerWaiting && ContinuousClock.now - state.lastProgress > idleTimeout
            }
            if stalled {
                fail("the body's source sent nothing for \(idleTimeout)")
                return
            }
            if state.withLock({ $0.sourceEnded || $0.failure != nil || $0.stopped }) { return }
        }
    }
}
