#if canImport(CCurlShim)
import CCurl
import CCurlShim
import Foundation

/// A libcurl WebSocket connection's I/O thread: connects, runs the opening handshake, then moves frames
/// until the connection ends. Everything here runs on that one thread (the easy handle is never touched
/// elsewhere); it talks to callers only through `CurlWebSocketShared` and the inbox.
final class CurlWebSocketSession: @unchecked Sendable {
    let shared: CurlWebSocketShared
    let request: WebSocketRequest
    let target: WebSocketHandshake.Target
    let handshake: [UInt8]
    let expectedAccept: String
    let offeredProtocols: [String]

    var handle: UnsafeMutableRawPointer?
    var socket: curl_socket_t = -1
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// One read's worth of bytes: what the session holds beyond the message being assembled.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 8)
    var assembler: WebSocketMessageAssembler

    init(shared: CurlWebSocketShared, request: WebSocketRequest, target: WebSocketHandshake.Target, handshake: [UInt8],
         expectedAccept: String, offeredProtocols: [String]) {
        self.shared = shared
        self.request = request
        self.target = target
        self.handshake = handshake
        self.expectedAccept = expectedAccept
        self.offeredProtocols = offeredProtocols
        self.assembler = WebSocketMessageAssembler(maximumMessageBytes: request.maximumMessageBytes)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        errorBuffer.deallocate()
        readBuffer.deallocate()
    }

    /// Starts the I/O thread; it holds the session (and so the shared state) until the connection ended.
    func start() {
        let thread = Thread { self.run() }
        thread.name = "fal-websocket"
        thread.stackSize = 512 << 10
        thread.start()
    }

    private func run() {
        var leftover: [UInt8] = []
        do {
            try connect()
            leftover = try performHandshake()
        } catch {
            closeHandle()
            shared.finish(error)
            return
        }
        shared.opened()
        let outcome = runLoop(initial: leftover)
        closeHandle()
        shared.finish(outcome)
    }

    private func closeHandle() {
        if let handle { curl_easy_cleanup(handle) }  // closes the socket
        handle = nil
    }

    // MARK: Connecting

    private func check(_ code: CURLcode) throws(WebSocketError) {
        if code != CURLE_OK { throw .connectFailed("libcurl refused an option: \(String(cString: curl_easy_strerror(code)))") }
    }

    /// libcurl resolves, connects (through a proxy if the environment names one) and does TLS, then stops.
    private func connect() throws {
        // libcurl's global init happens once, in the HTTP event loop's setup: before 7.84 it is not thread-safe,
        // so it must not run here while that loop's thread may be using libcurl.
        _ = CurlEventLoop.shared
        guard let handle = curl_easy_init() else { throw WebSocketError.connectFailed("curl_easy_init failed") }
        self.handle = handle
        try check(fal_curl_setopt_str(handle, CURLOPT_URL, target.httpURL))
        try check(fal_curl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1))
        try check(fal_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        // ALPN must offer only http/1.1: an HTTP/2 connection cannot be upgraded.
        try check(fal_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)))
        // Through an HTTP proxy, tunnel (CONNECT) for ws:// too, so the handshake reaches the server itself.
        try check(fal_curl_setopt_long(handle, CURLOPT_HTTPPROXYTUNNEL, 1))
        try check(fal_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1))
        try check(fal_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        try check(fal_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)))
        if let caBundle = request.caBundlePath { try check(fal_curl_setopt_str(handle, CURLOPT_CAINFO, caBundle)) }
        try check(fal_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        // Fewer recv calls per message (see tls_read_ahead.c); the loop reads until CURLE_AGAIN before it waits.
        if target.secure { shared.tlsReadAhead = fal_ws_enable_tls_read_ahead(handle) == 1 }
        try check(fal_curl_set_abort_flag(handle, shared.abortFlag))
        if shared.abortRequested { throw CancellationError() }
        let code = curl_easy_perform(handle)
        if shared.abortRequested { throw CancellationError() }
        guard code == CURLE_OK else {
            var message = String(cString: errorBuffer)
            if message.isEmpty { message = String(cString: curl_easy_strerror(code)) }
            if code == CURLE_OPERATION_TIMEDOUT {
                throw WebSocketError.timedOut("connecting to \(target.hostHeader) took over \(request.connectTimeout): \(message)")
            }
            throw WebSocketError.connectFailed("\(target.hostHeader): \(message) (libcurl code \(code.rawValue))")
        }
        socket = fal_curl_active_socket(handle)
        guard socket != -1 else { throw WebSocketError.connectFailed("libcurl reports no socket after connecting") }
    }

    /// Sends the Upgrade request and reads the answer (at most 16 KiB of head), within `handshakeTimeout`.
    /// Returns the bytes that followed the head: the server's first frames.
    private func performHandshake() throws -> [UInt8] {
        let deadline = ContinuousClock.now + request.handshakeTimeout
        let timeout = WebSocketError.timedOut("the server did not complete the opening handshake within \(request.handshakeTimeout)")
        var sent = 0
        while sent < handshake.count {
            var count = 0
            let code = handshake.withUnsafeBytes { bytes in
                curl_easy_send(handle, bytes.baseAddress! + sent, bytes.count - sent, &count)
            }
            if code == CURLE_AGAIN {
                guard try waitForSocket(read: false, write: true, until: deadline) else { throw timeout }
            } else if code != CURLE_OK {
                throw WebSocketError.connectionLost("sending the handshake: \(curlMessage(code))")
            } else {
                sent += count
            }
        }
        var reader = WebSocketHandshakeReader()
        while true {
            var count = 0
            let code = curl_easy_recv(handle, readBuffer.baseAddress, readBuffer.count, &count)
            if code == CURLE_AGAIN {
                guard try waitForSocket(read: true, write: false, until: deadline) else { throw timeout }
                continue
            }
            guard code == CURLE_OK else { throw WebSocketError.connectionLost("reading the handshake answer: \(curlMessage(code))") }
            guard count > 0 else {
                throw WebSocketError.handshakeFailed(status: 0, message: "the server closed the connection before answering the handshake")
            }
            let bytes = UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])
            var offset = 0
            if let response = try reader.next(in: bytes, at: &offset) {
                try WebSocketHandshake.validate(response, expectedAccept: expectedAccept, offeredProtocols: offeredProtocols)
                return Array(bytes[offset...])
            }
        }
    }

    /// Waits for the socket (or a wake-up) until `deadline`; false once it passed. Throws if the opening
    /// task was cancelled.
    private func waitForSocket(read: Bool, write: Bool, until deadline: ContinuousClock.Instant) throws -> Bool {
        while true {
            if shared.abortRequested { throw CancellationError() }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return false }
            let mask = fal_ws_wait(socket, read ? 1 : 0, write ? 1 : 0, shared.waker.readDescriptor, Int32(Self.milliseconds(left)))
            if mask < 0 { throw WebSocketError.connectionLost("poll failed: \(String(cString: strerror(errno)))") }
            if mask & Int32(FAL_WS_READABLE | FAL_WS_WRITABLE) != 0 { return true }
        }
    }

    func curlMessage(_ code: CURLcode) -> String {
        let message = String(cString: errorBuffer)
        return message.isEmpty ? String(cString: curl_easy_strerror(code)) : message
    }

    static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(clamping: duration.wholeMilliseconds))
    }
}
#endif
