import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The WebSocket client over `URLSessionWebSocketTask`, for platforms without libcurl (iOS, tvOS, watchOS,
/// visionOS, and builds without the `LibcurlTransport` trait). URLSession does the handshake, framing and
/// pings; this adds the bounds of `WebSocketRequest` (connect, send and close timeouts, message size) and
/// maps its errors to `WebSocketError`. `caBundlePath` is not supported (the system's trust is used).
///
/// On Linux, FoundationNetworking's `URLSessionWebSocketTask` needs a libcurl built with WebSocket support
/// (7.86+, where it is still optional); see the tests' probe for what this machine's does.
package struct URLSessionWebSocketConnector: WebSocketConnecting {
    /// A connector; each connection gets a session of its own.
    package init() {}

    /// Connects and completes the opening handshake (see `WebSocketConnecting`).
    package func connect(_ request: WebSocketRequest) async throws -> any WebSocketConnection {
        try await URLSessionWebSocketConnection.open(request)
    }
}

final class URLSessionWebSocketConnection: WebSocketConnection {
    private let session: URLSession
    private let task: URLSessionWebSocketTask
    private let events: URLSessionWebSocketEvents
    private let request: WebSocketRequest
    let messages: AsyncThrowingStream<WebSocketMessage, any Error>

    private init(session: URLSession, task: URLSessionWebSocketTask, events: URLSessionWebSocketEvents, request: WebSocketRequest) {
        self.session = session
        self.task = task
        self.events = events
        self.request = request
        messages = AsyncThrowingStream(unfolding: { [task, events] in
            try await Self.receive(task, events)
        })
    }

    static func open(_ request: WebSocketRequest) async throws -> URLSessionWebSocketConnection {
        let target = try WebSocketHandshake.target(request.url)
        _ = try WebSocketHandshake.request(target, key: "", headers: request.headers)  // the same header checks
        var components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        components?.scheme = target.secure ? "wss" : "ws"
        guard let url = components?.url else { throw WebSocketError.invalidRequest("cannot form a URL from \(request.url)") }
        var urlRequest = URLRequest(url: url)
        urlRequest.timeoutInterval = Double(request.connectTimeout.wholeMilliseconds + request.handshakeTimeout.wholeMilliseconds) / 1000
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        let events = URLSessionWebSocketEvents()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.urlCredentialStorage = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: events, delegateQueue: queue)
        let task = session.webSocketTask(with: urlRequest)
        task.maximumMessageSize = request.maximumMessageBytes
        task.resume()
        let bound = request.connectTimeout + request.handshakeTimeout
        do {
            try await events.waitForOpen(within: bound)
        } catch {
            task.cancel()
            session.invalidateAndCancel()
            if error is CancellationError { throw error }
            if let status = (task.response as? HTTPURLResponse)?.statusCode, status != 101 {
                throw WebSocketError.handshakeFailed(status: status, message: "the server answered \(status) instead of switching protocols")
            }
            if let error = error as? WebSocketError { throw error }
            throw WebSocketError.connectFailed("\(error)")
        }
        return URLSessionWebSocketConnection(session: session, task: task, events: events, request: request)
    }

    deinit {
        task.cancel(with: .goingAway, reason: nil)
        session.finishTasksAndInvalidate()
    }

    /// One message from the task; nil after a close with 1000.
    private static func receive(_ task: URLSessionWebSocketTask, _ events: URLSessionWebSocketEvents) async throws -> WebSocketMessage? {
        do {
            let message: URLSessionWebSocketTask.Message = try await withCheckedThrowingContinuation { continuation in
                task.receive { continuation.resume(with: $0) }
            }
            switch message {
            case .string(let text): return .text(text)
            case .data(let data): return .binary(data)
            @unknown default: return nil
            }
        } catch {
            if let close = events.serverClose ?? Self.closeFrame(task) {
                if close.code == WebSocketCloseFrame.normalClosure { return nil }
                throw WebSocketError.closedByServer(close)
            }
            if events.closedByClient { return nil }
            throw WebSocketError.connectionLost("\(error)")
        }
    }

    private static func closeFrame(_ task: URLSessionWebSocketTask) -> WebSocketCloseFrame? {
        guard task.closeCode != .invalid else { return nil }
        return WebSocketCloseFrame(code: UInt16(clamping: task.closeCode.rawValue), reason: task.closeReason.map { String(decoding: $0, as: UTF8.self) } ?? "")
    }

    func send(_ message: WebSocketMessage) async throws {
        if events.closedByClient { throw WebSocketError.notOpen }
        let outgoing: URLSessionWebSocketTask.Message
        switch message {
        case .text(let text): outgoing = .string(text)
        case .binary(let data): outgoing = .data(data)
        }
        let task = self.task
        let sent = try await events.bounded(request.sendTimeout, onTimeout: { task.cancel(with: .goingAway, reason: nil) }) {
            (continuation: CheckedContinuation<Void, any Error>) in
            task.send(outgoing) { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
        if !sent {
            throw WebSocketError.timedOut("the server did not take a message within \(request.sendTimeout)")
        }
    }

    func close(code: UInt16, reason: String) async {
        events.markClosedByClient()
        task.cancel(with: URLSessionWebSocketTask.CloseCode(rawValue: Int(code)) ?? .normalClosure, reason: Data(reason.utf8.prefix(123)))
        _ = try? await events.waitForClose(within: request.closeTimeout)
        session.finishTasksAndInvalidate()
    }

    var serverClose: WebSocketCloseFrame? { events.serverClose ?? Self.closeFrame(task) }
}

/// The session delegate: the task opening, closing and completing, for the connection to wait on.
final class URLSessionWebSocketEvents: NSObject, URLSessionWebSocketDelegate, Sendable {
    private struct State {
        var opened = false
        var completed: (any Error)?? = nil
        var closed = false
        var closedByClient = false
        var serverClose: WebSocketCloseFrame?
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }
    private let state = Mutex(State())

    var serverClose: WebSocketCloseFrame? { state.withLock { $0.serverClose } }
    var closedByClient: Bool { state.withLock { $0.closedByClient } }
    func markClosedByClient() { state.withLock { $0.closedByClient = true } }

    func urlSession(_ session: URLSession, webSocketTask: URLSessionWebSocketTask, didOpenWithProtocol protocol: String?) {
        change { $0.opened = true }
    }

    func urlSession(_ session: URLSession, webSocketTask: URLSessionWebSocketTask, didCloseWith closeCode: URLSessionWebSocketTask.CloseCode, reason: Data?) {
        change {
            $0.closed = true
            if !$0.closedByClient {
                $0.serverClose = WebSocketCloseFrame(code: UInt16(clamping: closeCode.rawValue), reason: reason.map { String(decoding: $0, as: UTF8.self) } ?? "")
            }
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        change { $0.completed = .some(error) }
    }

    private func change(_ body: (inout State) -> Void) {
        let waiters = state.withLock { state in
            body(&state)
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until `done` holds, at most `bound`; false on timeout. Throws `CancellationError`.
    private func wait(within bound: Duration, until done: @escaping @Sendable (State) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + bound
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await ContinuousClock().sleep(until: deadline)
                return false
            }
            group.addTask { [self] in
                while true {
                    try Task.checkCancellation()
                    let id = state.withLock { state -> UInt64 in state.nextWaiter += 1; return state.nextWaiter }
                    var satisfied = false
                    await withTaskCancellationHandler {
                        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                            let ready = state.withLock { state -> Bool in
                                if done(state) { satisfied = true; return true }
                                if Task.isCancelled { return true }
                                state.waiters[id] = continuation
                                return false
                            }
                            if ready { continuation.resume() }
                        }
                    } onCancel: {
                        state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
                    }
                    if satisfied || state.withLock({ done($0) }) { return true }
                }
            }
            let result = try await group.next() ?? false
            group.cancelAll()
            return result
        }
    }

    func waitForOpen(within bound: Duration) async throws {
        let finished = try await wait(within: bound) { $0.opened || $0.completed != nil }
        guard finished else { throw WebSocketError.timedOut("the WebSocket did not open within \(bound)") }
        let (opened, completed) = state.withLock { ($0.opened, $0.completed) }
        if opened { return }
        throw (completed ?? nil) ?? WebSocketError.connectionLost("the task completed without opening")
    }

    func waitForClose(within bound: Duration) async throws -> Bool {
        try await wait(within: bound) { $0.closed || $0.completed != nil }
    }

    /// Runs a callback-based operation, giving up after `bound` (false); its error is thrown. `onTimeout`
    /// must make the operation complete (cancel the task), since the group waits for it.
    func bounded(
        _ bound: Duration, onTimeout: @escaping @Sendable () -> Void,
        _ start: @escaping @Sendable (CheckedContinuation<Void, any Error>) -> Void
    ) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await ContinuousClock().sleep(for: bound)
                onTimeout()
                return false
            }
            group.addTask {
                try await withCheckedThrowingContinuation(start)
                return true
            }
            let result = try await group.next() ?? false
            group.cancelAll()
            return result
        }
    }
}
