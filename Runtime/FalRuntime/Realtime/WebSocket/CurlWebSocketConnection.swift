#if canImport(CCurlShim)
import CCurl
import CCurlShim
import Foundation
import Synchronization

/// The libcurl WebSocket client: libcurl connects (`CURLOPT_CONNECT_ONLY`: name resolution, proxies, TCP,
/// TLS with the system's or the request's CA bundle), then the opening handshake and RFC 6455 framing are
/// done here over `curl_easy_send`/`curl_easy_recv` (libcurl 7.68+ has no WebSocket support of its own;
/// 7.86's is experimental). Each connection's I/O runs on a thread of its own, never on Swift's
/// cooperative pool; every wait on it is bounded by the request's timeouts.
package struct CurlWebSocketConnector: WebSocketConnecting {
    /// A connector; it holds no state.
    package init() {}

    /// Connects and completes the opening handshake (see `WebSocketConnecting`).
    package func connect(_ request: WebSocketRequest) async throws -> any WebSocketConnection {
        try await CurlWebSocketConnection.open(request)
    }
}

/// One WebSocket connection over libcurl. Callers queue frames in `shared`; the connection's I/O thread
/// (`CurlWebSocketSession`) writes them, reads the server's frames into the inbox, answers pings and runs
/// the closing handshake.
final class CurlWebSocketConnection: WebSocketConnection {
    let shared: CurlWebSocketShared
    let messages: AsyncThrowingStream<WebSocketMessage, any Error>

    private init(shared: CurlWebSocketShared) {
        self.shared = shared
        self.messages = shared.inbox.makeStream()
    }

    /// Connects and completes the handshake on a new I/O thread; cancelling the calling task aborts it.
    static func open(_ request: WebSocketRequest) async throws -> CurlWebSocketConnection {
        let target = try WebSocketHandshake.target(request.url)
        let key = WebSocketHandshake.makeKey()
        let handshake = try WebSocketHandshake.request(target, key: key, headers: request.headers)
        let offered = request.headers.filter { $0.name.caseInsensitiveCompare("Sec-WebSocket-Protocol") == .orderedSame }
            .flatMap { $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let shared = try CurlWebSocketShared(request)
        let session = CurlWebSocketSession(
            shared: shared, request: request, target: target, handshake: handshake,
            expectedAccept: WebSocketHandshake.expectedAccept(forKey: key), offeredProtocols: offered)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                shared.setOpenWaiter(continuation)
                session.start()
            }
        } onCancel: {
            shared.abort()
        }
        return CurlWebSocketConnection(shared: shared)
    }

    /// The last reference gone without `close`: close with 1001 (going away), bounded, on the I/O thread.
    deinit { shared.requestClose(WebSocketCloseFrame(code: WebSocketCloseFrame.goingAway)) }

    func send(_ message: WebSocketMessage) async throws {
        try await shared.enqueue(WebSocketFrameEncoder.frame(message))
    }

    func close(code: UInt16, reason: String) async {
        await shared.close(WebSocketCloseFrame(code: code, reason: reason))
    }

    var serverClose: WebSocketCloseFrame? { shared.serverClose }
}

/// The self-pipe that wakes a connection's I/O thread; closed when the last holder lets go, so a late
/// wake-up (a consumer draining the inbox after the end) never writes to a reused descriptor.
final class WebSocketWaker: Sendable {
    let readDescriptor: Int32
    let writeDescriptor: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard fal_ws_waker_open(&fds) == 0 else {
            throw WebSocketError.connectFailed("cannot open a pipe: \(String(cString: strerror(errno)))")
        }
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
    }

    func wake() { fal_ws_waker_wake(writeDescriptor) }

    deinit {
        var fds = [readDescriptor, writeDescriptor]
        fal_ws_waker_close(&fds)
    }
}

/// What the callers of a connection and its I/O thread share, under one lock: the bounded queue of frames
/// to send and the senders waiting for room in it, the close request, and how the connection ended.
final class CurlWebSocketShared: @unchecked Sendable {
    private struct Waiter {
        var frame: Data
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var frames: [Data] = []
        var head = 0
        /// Bytes queued or being written (a frame counts until it is fully written).
        var bytes = 0
        var waiters: [UInt64: Waiter] = [:]
        var waiterOrder: [UInt64] = []
        var nextWaiter: UInt64 = 0
        var accepting = true
        var closeRequest: WebSocketCloseFrame?
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
        var openWaiter: CheckedContinuation<Void, any Error>?
        var ended = false
        var endError: (any Error)?
        var serverClose: WebSocketCloseFrame?
        var tlsReadAhead = false
    }

    let waker: WebSocketWaker
    let inbox: WebSocketInbox
    /// Read by libcurl's progress callback during connect (set with `fal_ws_flag_set`).
    let abortFlag: UnsafeMutablePointer<Int32>
    private let sendBufferBytes: Int
    private let state = Mutex(State())

    init(_ request: WebSocketRequest) throws {
        let waker = try WebSocketWaker()
        self.waker = waker
        self.inbox = WebSocketInbox(limit: request.receiveBufferBytes, onDemand: { waker.wake() })
        self.sendBufferBytes = max(1, request.sendBufferBytes)
        abortFlag = .allocate(capacity: 1)
        abortFlag.initialize(to: 0)
    }

    deinit { abortFlag.deallocate() }

    /// Whether OpenSSL reads ahead on the connection's TLS (set by the I/O thread when it connects; tests read it).
    var tlsReadAhead: Bool {
        get { state.withLock { $0.tlsReadAhead } }
        set { state.withLock { $0.tlsReadAhead = newValue } }
    }

    var serverClose: WebSocketCloseFrame? { state.withLock { $0.serverClose } }

    // MARK: Callers

    /// Queues a frame, waiting while the queue holds `sendBufferBytes` (a frame is always taken into an
    /// empty queue). Throws once the connection stopped taking frames.
    func enqueue(_ frame: Data) async throws {
        enum Outcome { case queued(wake: Bool), refused(any Error), wait }
        let outcome = state.withLock { state -> Outcome in
            if let refusal = Self.refusal(state) { return .refused(refusal) }
            guard state.waiterOrder.isEmpty, state.bytes == 0 || state.bytes + frame.count <= sendBufferBytes else { return .wait }
            return .queued(wake: Self.append(frame, to: &state))
        }
        switch outcome {
        case .queued(let wake):
            if wake { waker.wake() }
            return
        case .refused(let error): throw error
        case .wait: break
        }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Installed { case waiting, refused(any Error), queued(wake: Bool) }
                let installed = state.withLock { state -> Installed in
                    if Task.isCancelled { return .refused(CancellationError()) }
                    if let refusal = Self.refusal(state) { return .refused(refusal) }
                    // The I/O thread may have emptied the queue since the first look: nothing would admit us then.
                    if state.waiterOrder.isEmpty, state.bytes == 0 || state.bytes + frame.count <= sendBufferBytes {
                        return .queued(wake: Self.append(frame, to: &state))
                    }
                    state.waiters[id] = Waiter(frame: frame, continuation: continuation)
                    state.waiterOrder.append(id)
                    return .waiting
                }
                switch installed {
                case .waiting: break
                case .refused(let error): continuation.resume(throwing: error)
                case .queued(let wake):
                    if wake { waker.wake() }
                    continuation.resume()
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let waiter = state.waiters.removeValue(forKey: id) else { return nil }
                state.waiterOrder.removeAll { $0 == id }
                return waiter
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Why a frame cannot be queued now, if it cannot.
    private static func refusal(_ state: State) -> (any Error)? {
        if state.ended { return state.endError.flatMap { $0 as? WebSocketError } ?? WebSocketError.notOpen }
        if !state.accepting || state.closeRequest != nil { return WebSocketError.notOpen }
        return nil
    }

    /// Appends to the queue; true when it was empty (the I/O thread may be asleep and must be woken).
    private static func append(_ frame: Data, to state: inout State) -> Bool {
        let wasEmpty = state.head == state.frames.count
        state.frames.append(frame)
        state.bytes += frame.count
        return wasEmpty
    }

    /// Asks for the closing handshake (once); the I/O thread sends the close frame after the queued frames.
    func requestClose(_ close: WebSocketCloseFrame) {
        let wake = state.withLock { state -> Bool in
            guard !state.ended, state.closeRequest == nil else { return false }
            state.closeRequest = close
            return true
        }
        if wake { waker.wake() }
    }

    /// Requests the close and waits until the I/O thread ended the connection (bounded by `closeTimeout`).
    func close(_ close: WebSocketCloseFrame) async {
        requestClose(close)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ended = state.withLock { state -> Bool in
                if state.ended { return true }
                state.closeWaiters.append(continuation)
                return false
            }
            if ended { continuation.resume() }
        }
    }

    /// Stops an unfinished connect or handshake (the opening task was cancelled).
    func abort() {
        fal_ws_flag_set(abortFlag)
        waker.wake()
    }

    var abortRequested: Bool { fal_ws_flag_get(abortFlag) != 0 }

    func setOpenWaiter(_ continuation: CheckedContinuation<Void, any Error>) {
        state.withLock { $0.openWaiter = continuation }
    }

    // MARK: I/O thread

    /// The handshake succeeded: `open` returns.
    func opened() {
        state.withLock { state -> CheckedContinuation<Void, any Error>? in
            defer { state.openWaiter = nil }
            return state.openWaiter
        }?.resume()
    }

    /// The close the caller asked for, if any.
    var closeRequest: WebSocketCloseFrame? { state.withLock { $0.closeRequest } }

    /// Whether frames wait to be taken.
    var hasQueuedFrames: Bool { state.withLock { $0.head < $0.frames.count } }

    /// Bytes queued or being written.
    var queuedBytes: Int { state.withLock { $0.bytes } }

    /// The next frame to write (it stays counted in the buffer until `frameWritten`).
    func takeFrame() -> Data? {
        state.withLock { state -> Data? in
            guard state.head < state.frames.count else { return nil }
            let frame = state.frames[state.head]
            state.frames[state.head] = Data()
            state.head += 1
            if state.head == state.frames.count {
                state.frames.removeAll(keepingCapacity: state.frames.count <= 64)
                state.head = 0
            }
            return frame
        }
    }

    /// A frame of `count` bytes was fully written: frees its room and lets waiting senders in, in order.
    func frameWritten(_ count: Int) {
        let admitted = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.bytes -= count
            var admitted: [CheckedContinuation<Void, any Error>] = []
            while let id = state.waiterOrder.first, let waiter = state.waiters[id],
                  state.bytes == 0 || state.bytes + waiter.frame.count <= sendBufferBytes {
                state.waiterOrder.removeFirst()
                state.waiters[id] = nil
                _ = Self.append(waiter.frame, to: &state)
                admitted.append(waiter.continuation)
            }
            return admitted
        }
        for continuation in admitted { continuation.resume() }
    }

    /// The connection is closing: frames not yet begun are dropped, and no more are taken.
    func stopAccepting() {
        state.withLock { state in
            state.accepting = false
            for index in state.head..<state.frames.count { state.bytes -= state.frames[index].count }
            state.frames.removeAll()
            state.head = 0
        }
    }

    func setServerClose(_ close: WebSocketCloseFrame) { state.withLock { $0.serverClose = close } }

    /// The connection ended (the socket is closed): `error` nil for an orderly close. Everyone waiting is
    /// told: the opener, senders (with `error`, or `notOpen`), closers, and the consumer after the messages.
    func finish(_ error: (any Error)?) {
        let (open, senders, closers) = state.withLock { state in
            state.ended = true
            state.endError = error
            state.accepting = false
            state.frames.removeAll()
            state.head = 0
            state.bytes = 0
            let senders = state.waiterOrder.compactMap { state.waiters[$0]?.continuation }
            state.waiters = [:]
            state.waiterOrder = []
            defer { state.openWaiter = nil; state.closeWaiters = [] }
            return (state.openWaiter, senders, state.closeWaiters)
        }
        open?.resume(throwing: error ?? WebSocketError.notOpen)
        let sendError = (error as? WebSocketError) ?? WebSocketError.notOpen
        for sender in senders { sender.resume(throwing: sendError) }
        for closer in closers { closer.resume() }
        inbox.finish(error)
    }
}
#endif
