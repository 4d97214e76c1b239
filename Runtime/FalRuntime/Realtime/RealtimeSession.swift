import Foundation

/// One realtime connection's state: the socket (opened on demand, again after fal closes an idle one), the
/// token and its refresh, the keep-latest throttle, and the results waiting for the app.
///
/// Bounded everywhere: one input waits at most (the latest), results beyond `outputBufferLimit` drop the
/// oldest, the socket's own buffers are capped, and reconnecting backs off up to 5 s.
actor RealtimeSession<Output: Sendable> {
    /// How to reach the endpoint: its URL without the token, and how to get a token (nil: the handshake
    /// carries the `Authorization` header instead).
    struct Route: Sendable {
        var url: URL
        var headers: [(name: String, value: String)]
        var fetchToken: (@Sendable () async throws -> String)?
    }

    private let connector: any WebSocketConnecting
    private let route: Route
    private let options: RealtimeOptions
    private let caBundlePath: String?
    private let decode: @Sendable (MessagePackValue) throws -> Output

    private var socket: (any WebSocketConnection)?
    private var generation = 0
    private var connecting: Task<(any WebSocketConnection)?, Never>?
    private var readTask: Task<Void, Never>?
    /// fal announced it closes this generation's socket for idleness: its end is no failure.
    private var idleGeneration: Int?
    private var failedConnects = 0
    private var nextConnectAllowed: ContinuousClock.Instant?

    private var token: String?
    private var refreshTask: Task<Void, Never>?

    private var pending: Data?
    private var lastSent: ContinuousClock.Instant?
    private var flushTask: Task<Void, Never>?

    private var results: [Result<Output, FalError>] = []
    private var waiter: CheckedContinuation<Result<Output, FalError>?, Never>?
    private var closed = false

    /// Counters for tests and benchmarks: inputs put on the wire and connections opened.
    private(set) var inputsSent = 0
    private(set) var connectionsOpened = 0

    init(connector: any WebSocketConnecting, route: Route, options: RealtimeOptions, caBundlePath: String?,
         decode: @escaping @Sendable (MessagePackValue) throws -> Output) {
        self.decode = decode
        self.connector = connector
        self.route = route
        self.options = options
        self.caBundlePath = caBundlePath
    }

    // MARK: Sending

    /// Opens the first connection, so that a wrong key or an unreachable host fails the call that asked.
    func start() async throws(FalError) {
        if let failure = await openSocket() { throw failure }
    }

    /// Takes an encoded input: sent now, or kept as the latest until the throttle interval has passed.
    func send(_ input: Data) async throws(FalError) {
        guard !closed else { throw FalError.cancelled(requestID: nil) }
        if options.throttle <= .zero {
            await transmit(input)
            return
        }
        pending = input
        guard flushTask == nil else { return }
        flushTask = Task { await self.flush() }
    }

    /// Sends the latest input whenever the interval since the previous one has passed, until none is left.
    private func flush() async {
        while let input = pending, !closed {
            if let lastSent, case let due = lastSent.advanced(by: options.throttle), due > .now {
                try? await Task.sleep(until: due, clock: .continuous)
                continue  // a newer input may have replaced this one while waiting
            }
            pending = nil
            lastSent = .now
            await transmit(input)
        }
        flushTask = nil
    }

    /// Puts one input on the wire, connecting first when needed. A failure is reported through the results;
    /// the next input connects again.
    private func transmit(_ input: Data) async {
        guard let socket = await connectedSocket() else { return }
        let generation = self.generation
        do {
            try await socket.send(.binary(input))
            inputsSent += 1
        } catch {
            guard !closed, dropSocket(generation: generation) else { return }
            deliver(.failure(Self.failure(error, while: "sending an input")))
        }
    }

    // MARK: Connecting

    private func connectedSocket() async -> (any WebSocketConnection)? {
        if let socket { return socket }
        if let connecting { return await connecting.value }
        let task = Task { () -> (any WebSocketConnection)? in
            // Isolated to this actor (a task made in its method), so its own state is read directly.
            if let failure = await self.openSocket() { self.deliver(.failure(failure)) }
            return self.socket
        }
        connecting = task
        let socket = await task.value
        connecting = nil
        return socket
    }

    /// Opens a socket (after the backoff a previous failure set); nil on success, else the failure.
    private func openSocket() async -> FalError? {
        if let until = nextConnectAllowed, until > .now { try? await Task.sleep(until: until, clock: .continuous) }
        guard !closed else { return .cancelled(requestID: nil) }
        do throws(FalError) {
            var url = route.url
            if route.fetchToken != nil {
                let token = try await currentToken()
                url = FalClient.realtimeURL(url, token: token)
            }
            var request = WebSocketRequest(url: url, headers: route.headers)
            request.maximumMessageBytes = options.maximumMessageBytes
            request.caBundlePath = caBundlePath
            let socket: any WebSocketConnection
            do { socket = try await connector.connect(request) } catch {
                if case WebSocketError.handshakeFailed(let status, _) = error, status == 401 || status == 403 { token = nil }
                throw Self.failure(error, while: "connecting")
            }
            guard !closed else {
                await socket.close(code: 1000, reason: "closed")
                return .cancelled(requestID: nil)
            }
            self.socket = socket
            generation += 1
            connectionsOpened += 1
            failedConnects = 0
            nextConnectAllowed = nil
            startReading(socket, generation: generation)
            return nil
        } catch {
            failedConnects += 1
            // 0.1 s, 0.2 s, 0.4 s … up to 5 s: a dead network is not hammered, a blip costs little.
            let seconds = min(5, 0.1 * pow(2, Double(min(failedConnects - 1, 10))))
            nextConnectAllowed = .now.advanced(by: .milliseconds(Int64(seconds * 1000)))
            return error
        }
    }

    /// Forgets the socket of `generation` (closing it) if it is still the current one; false when it was not.
    @discardableResult
    private func dropSocket(generation: Int) -> Bool {
        guard generation == self.generation, let dropped = socket else { return false }
        socket = nil
        readTask?.cancel()
        readTask = nil
        Task { await dropped.close(code: 1000, reason: "") }
        return true
    }

    // MARK: Receiving

    private func startReading(_ socket: any WebSocketConnection, generation: Int) {
        let decode = self.decode
        readTask = Task {
            do {
                for try await message in socket.messages {
                    self.handle(RealtimeMessageReader.event(message, decode: decode), generation: generation)
                }
                self.socketEnded(generation: generation, error: nil)
            } catch {
                self.socketEnded(generation: generation, error: error)
            }
        }
    }

    private func handle(_ event: RealtimeEvent<Output>, generation: Int) {
        switch event {
        case .output(let output): deliver(.success(output))
        case .skipped: break
        case .idleTimeout: idleGeneration = generation
        case .unauthorized(let error):
            token = nil
            dropSocket(generation: generation)
            deliver(.failure(error))
        case .failure(let error): deliver(.failure(error))
        }
    }

    private func socketEnded(generation: Int, error: (any Error)?) {
        guard generation == self.generation, socket != nil else { return }
        socket = nil
        readTask = nil
        guard !closed, idleGeneration != generation, let error, !(error is CancellationError) else { return }
        deliver(.failure(Self.failure(error, while: "receiving")))
    }

    // MARK: Tokens

    private func currentToken() async throws(FalError) -> String {
        if let token { return token }
        let fresh = try await fetchToken()
        token = fresh
        scheduleRefresh()
        return fresh
    }

    private func fetchToken() async throws(FalError) -> String {
        guard let fetch = route.fetchToken else { throw FalError.configuration("no token source") }
        do { return try await fetch() } catch let error as FalError { throw error } catch {
            throw FalError.configuration("the realtime token provider failed: \(error)")
        }
    }

    /// Refreshes the token at 90 % of its lifetime, as fal-js does, without touching the open socket (the
    /// token only admits new connections); a failed refresh is tried again after 5 % of the lifetime.
    private func scheduleRefresh(after delay: Duration? = nil) {
        refreshTask?.cancel()
        let wait = delay ?? options.tokenLifetime * 0.9
        refreshTask = Task {
            try? await Task.sleep(for: wait)
            guard !Task.isCancelled else { return }
            await self.refresh()
        }
    }

    private func refresh() async {
        guard !closed else { return }
        do {
            token = try await fetchToken()
            scheduleRefresh()
        } catch {
            scheduleRefresh(after: options.tokenLifetime * 0.05)
        }
    }

    // MARK: Results

    private func deliver(_ result: Result<Output, FalError>) {
        guard !closed else { return }
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: result)
            return
        }
        results.append(result)
        if results.count > options.outputBufferLimit, let oldest = results.firstIndex(where: { if case .success = $0 { true } else { false } }) {
            results.remove(at: oldest)
        }
    }

    /// The next result or error, in arrival order; nil once the connection was closed.
    func next() async -> Result<Output, FalError>? {
        if !results.isEmpty { return results.removeFirst() }
        if closed { return nil }
        precondition(waiter == nil, "a realtime connection's outputs are read by one consumer at a time")
        return await withCheckedContinuation { waiter = $0 }
    }

    // MARK: Closing

    func close() async {
        guard !closed else { return }
        closed = true
        pending = nil
        refreshTask?.cancel()
        flushTask?.cancel()
        readTask?.cancel()
        waiter?.resume(returning: nil)
        waiter = nil
        results.removeAll()
        if let socket {
            self.socket = nil
            await socket.close(code: 1000, reason: "")
        }
    }

    // MARK: Helpers

    /// A WebSocket failure in the SDK's terms.
    static func failure(_ error: any Error, while doing: String) -> FalError {
        if let error = error as? FalError { return error }
        if error is CancellationError { return .cancelled(requestID: nil) }
        guard let error = error as? WebSocketError else { return .transport(kind: .other, message: "realtime \(doing): \(error)", code: 0) }
        switch error {
        case .connectFailed(let message): return .transport(kind: .connect, message: "realtime: \(message)", code: 0)
        case .timedOut: return .transport(kind: .timeout, message: "realtime \(doing): \(error)", code: 0)
        case .handshakeFailed(let status, let message) where status >= 400:
            return .http(status: status, detail: "the realtime handshake was refused: \(message)", errorType: nil, requestID: nil)
        case .closedByServer(let close): return .transport(kind: .other, message: "realtime connection closed by fal: \(close)", code: Int(close.code))
        case .invalidRequest(let message): return .configuration("realtime: \(message)")
        default: return .transport(kind: .other, message: "realtime \(doing): \(error)", code: 0)
        }
    }
}
