import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One request on `URLSessionTransport`: its task, its waiter, its timers. Events come from the session's
/// delegate queue, cancellation and timers from anywhere: every `var` is guarded by `lock`.
final class URLSessionExchange: @unchecked Sendable {
    enum Delivery {
        case buffered(CheckedContinuation<HTTPResponse, any Error>)
        case streamed(head: CheckedContinuation<HTTPResponseHead, any Error>, body: HTTPBodyProducer)
    }

    /// Suspends, resumes and cancels asked for by the delegate and the consumer, in the order asked.
    static let control = DispatchQueue(label: "fal-urlsession-transport-control")

    private let lock = NSLock()
    var delivery: Delivery? {
        get { lock.withLock { _delivery } }
        set { lock.withLock { _delivery = newValue } }
    }
    private var _delivery: Delivery?
    private var task: URLSessionTask?
    private var cancelled = false
    /// Between a refused redirect and its 3xx arriving as the response, `task.cancel()` must wait (see
    /// `URLSessionTransportDelegate`); a cancellation in that window is applied when the head arrives.
    private var cancellationHeld = false
    private var cancelWhenReleased = false
    /// Set when this transport ended the task itself (deadline, connect timeout, body limit): the task's
    /// `URLError(.cancelled)` then reports this instead of a cancellation.
    private var ownFailure: TransportFailure?
    private var head: HTTPResponseHead?
    private var headDelivered = false
    private var body = Data()
    private var suspended = false
    /// Set when a cancel of the task was sent: a suspend queued before it must not run after it (Linux's
    /// Foundation traps in `_NativeProtocol.stopLoading` when a task is suspended once it is cancelling).
    private var cancelSent = false
    private var connected = false
    private var timers: [Task<Void, Never>] = []
    private let bodyLimit: Int
    private let hasBody: Bool

    init(_ request: HTTPRequest) {
        bodyLimit = request.responseBodyLimit
        switch request.body {
        case .empty: hasBody = false
        case .data(let data): hasBody = !data.isEmpty
        case .file(_, _, let length): hasBody = length > 0
        case .stream: hasBody = true
        }
    }

    /// Starts the task and its timers, unless the caller cancelled already.
    func begin(_ task: URLSessionTask, _ request: HTTPRequest) {
        let startNow = lock.withLock { () -> Bool in
            self.task = task
            return !cancelled
        }
        guard startNow else {
            task.cancel()
            return
        }
        var timers: [Task<Void, Never>] = []
        if let timeout = request.timeout {
            timers.append(timer(after: timeout) {
                TransportFailure(kind: .timeout, code: URLError.timedOut.rawValue, message: "no complete response within \(timeout)")
            })
        }
        // URLSession reports no "connected" event. The first sign is our body leaving (didSendBodyData) or the
        // server's answer; without a body only the answer is, so a connect timer would fail every answer slower
        // than the connect timeout (a GET waiting 6 s for a result). Requests without a body rely on the idle
        // timeout instead. And since didSendBodyData can lag the socket, a timer that fires before it is no
        // proof that nothing was sent: the failure is a timeout, never `.connect`, so a submit is not resent.
        let connectTimeout = request.connectTimeout
        if hasBody {
            timers.append(timer(after: connectTimeout) { [self] in
                guard !connected else { return nil }
                return TransportFailure(
                    kind: .timeout, code: URLError.timedOut.rawValue,
                    message: "no sign of a connection within \(connectTimeout) (nothing acknowledged sent, nothing received)")
            })
        }
        lock.withLock { self.timers = timers }
        task.resume()
    }

    /// A task that ends the exchange with `failure()` after `delay`, unless the exchange ended first or
    /// `failure` returns nil (checked with `lock` held).
    private func timer(after delay: Duration, _ failure: @escaping @Sendable () -> TransportFailure?) -> Task<Void, Never> {
        Task { [weak self] in
            try? await Task.sleep(for: RetryPolicy.sleepable(delay))
            guard !Task.isCancelled, let self else { return }
            let task = self.lock.withLock { () -> URLSessionTask? in
                guard self._delivery != nil, self.ownFailure == nil, let reason = failure() else { return nil }
                self.ownFailure = reason
                return self.taskToCancel()
            }
            if let task { self.sendCancel(task) }
        }
    }

    func cancel() {
        let task = lock.withLock { () -> URLSessionTask? in
            cancelled = true
            return taskToCancel()
        }
        if let task { sendCancel(task) }
    }

    /// Every suspend, resume and cancel goes through `control`, in order, and nothing is suspended or resumed
    /// once a cancel was sent.
    private func sendCancel(_ task: URLSessionTask) {
        lock.withLock { cancelSent = true }
        Self.control.async { task.cancel() }
    }

    private func sendSuspend(_ task: URLSessionTask) {
        Self.control.async { [self] in
            guard lock.withLock({ !cancelSent && _delivery != nil }) else { return }
            task.suspend()
        }
    }

    /// The task to cancel now, or nil when cancelling must wait for a refused redirect. Needs `lock`.
    private func taskToCancel() -> URLSessionTask? {
        if cancellationHeld {
            cancelWhenReleased = true
            return nil
        }
        return task
    }

    func holdCancellation() { lock.withLock { cancellationHeld = true } }

    func resumeReceiving() {
        let task = lock.withLock { () -> URLSessionTask? in
            guard suspended else { return nil }
            suspended = false
            return self.task
        }
        if let task {
            Self.control.async { [self] in
                guard lock.withLock({ !cancelSent && _delivery != nil }) else { return }
                task.resume()
            }
        }
    }

    func sentBody(_ total: Int64) {
        lock.withLock {
            connected = true
        }
    }

    func receiveHead(_ response: URLResponse) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        var fields: [(name: String, value: String)] = []
        for (name, value) in (response as? HTTPURLResponse)?.allHeaderFields ?? [:] {
            fields.append((String(describing: name), String(describing: value)))
        }
        let head = HTTPResponseHead(status: status, headers: HTTPHeaders(fields))
        let (continuation, pendingCancel) = lock.withLock { () -> (CheckedContinuation<HTTPResponseHead, any Error>?, URLSessionTask?) in
            connected = true
            self.head = head
            var pendingCancel: URLSessionTask?
            if cancellationHeld {
                cancellationHeld = false
                if cancelWhenReleased { pendingCancel = task }
            }
            guard case .streamed(let continuation, _) = _delivery, !headDelivered else { return (nil, pendingCancel) }
            headDelivered = true
            return (continuation, pendingCancel)
        }
        continuation?.resume(returning: head)
        if let pendingCancel { sendCancel(pendingCancel) }
    }

    func receive(_ data: Data) {
        enum Next { case none, suspend(URLSessionTask), cancel(URLSessionTask) }
        let next = lock.withLock { () -> Next in
            connected = true
            switch _delivery {
            case .buffered:
                guard body.count + data.count <= bodyLimit else {
                    if ownFailure == nil {
                        ownFailure = TransportFailure(
                            kind: .limit, code: 0, message: "response body exceeds the limit of \(bodyLimit) bytes", receivedStatus: head?.status)
                    }
                    return task.map(Next.cancel) ?? .none
                }
                body.append(data)
                return .none
            case .streamed(_, let producer):
                switch producer.push(data) {
                case .accepted: return .none
                case .full:
                    #if canImport(FoundationNetworking)
                    // Linux's Foundation traps (`_NativeProtocol.stopLoading`, "Fatal error") when a suspended task is
                    // resumed before the suspension took effect on its own queue, which a consumer catching up at once
                    // does; and it reads ahead after a suspend anyway. So no suspension there: the buffer's cap
                    // (16 × its limit) bounds memory, and a consumer that far behind gets `.limit`.
                    return .none
                    #else
                    guard let task, !suspended else { return .none }
                    suspended = true
                    return .suspend(task)
                    #endif
                case .terminated: return task.map(Next.cancel) ?? .none
                }
            case nil:
                return .none
            }
        }
        // Not on the delegate queue (Foundation's task methods synchronise with its own queues), and in order
        // with `resumeReceiving`.
        switch next {
        case .none: break
        case .suspend(let task): sendSuspend(task)
        case .cancel(let task): sendCancel(task)
        }
    }

    /// The task ended: deliver the response, or the failure in the transport's terms.
    func complete(_ error: (any Error)?) {
        let (delivery, receivedHead, body, timers, failure) = lock.withLock { () -> (Delivery?, HTTPResponseHead?, Data, [Task<Void, Never>], (any Error)?) in
            defer { _delivery = nil; self.body = Data(); self.timers = [] }
            let failure: (any Error)?
            if let error {
                failure = ownFailure ?? Self.failure(error, receivedStatus: self.head?.status)
            } else {
                failure = ownFailure
            }
            return (_delivery, self.head, self.body, self.timers, failure)
        }
        let head = receivedHead
        for timer in timers { timer.cancel() }
        switch delivery {
        case .buffered(let continuation):
            if let failure {
                continuation.resume(throwing: failure)
            } else {
                let head = head ?? HTTPResponseHead(status: 0, headers: HTTPHeaders())
                continuation.resume(returning: HTTPResponse(status: head.status, headers: head.headers, body: body))
            }
        case .streamed(let headContinuation, let producer):
            let headPending = lock.withLock { () -> Bool in
                defer { headDelivered = true }
                return !headDelivered
            }
            if headPending {
                if let failure {
                    headContinuation.resume(throwing: failure)
                } else {
                    headContinuation.resume(returning: head ?? HTTPResponseHead(status: 0, headers: HTTPHeaders()))
                }
            }
            producer.finish(throwing: failure)
        case nil:
            break
        }
    }

    /// Fails before a task existed (a bad URL, an unreadable file).
    func fail(_ error: any Error) {
        let delivery = lock.withLock { () -> Delivery? in
            defer { _delivery = nil }
            return _delivery
        }
        switch delivery {
        case .buffered(let continuation): continuation.resume(throwing: error)
        case .streamed(let head, let producer):
            head.resume(throwing: error)
            producer.finish(throwing: error)
        case nil: break
        }
    }

    /// URLSession's errors in the transport-neutral terms.
    static func failure(_ error: any Error, receivedStatus: Int?) -> any Error {
        guard let urlError = error as? URLError else {
            return TransportFailure(kind: .other, code: (error as NSError).code, message: error.localizedDescription, receivedStatus: receivedStatus)
        }
        let kind: TransportFailure.Kind
        switch urlError.code {
        case .cancelled:
            return CancellationError()
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet:
            // Once a response had begun, the request was sent: the network going away mid-body is not a connect failure.
            kind = receivedStatus == nil ? .connect : .other
        case .timedOut:
            kind = .timeout
        case .serverCertificateUntrusted, .serverCertificateHasUnknownRoot, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .secureConnectionFailed:
            let detail = urlError.localizedDescription
            return TransportFailure(
                kind: .tls, code: urlError.code.rawValue,
                message: "TLS: the server's certificate was refused or the handshake failed (\(detail))", receivedStatus: receivedStatus)
        default:
            // Linux's FoundationNetworking reports libcurl's certificate failures as code -1 with libcurl's text
            // ("SSL certificate problem: …", "SSL: no alternative certificate subject name matches …").
            let detail = urlError.localizedDescription
            if detail.hasPrefix("SSL"), detail.lowercased().contains("certificate") {
                return TransportFailure(
                    kind: .tls, code: urlError.code.rawValue, message: "TLS: the server's certificate was refused (\(detail))",
                    receivedStatus: receivedStatus)
            }
            kind = .other
        }
        return TransportFailure(kind: kind, code: urlError.code.rawValue, message: urlError.localizedDescription, receivedStatus: receivedStatus)
    }
}
