#if canImport(CCurlShim)
import CCurl
import CCurlShim
import Foundation
import Synchronization

/// One HTTP exchange on one libcurl easy handle. Built on the caller's thread, then driven only with the
/// event loop's lock held: every callback and `deliver` run under it, so the mutable state needs no lock of its own.
final class CurlTransfer: @unchecked Sendable {
    enum Delivery {
        case buffered(CheckedContinuation<HTTPResponse, any Error>)
        case streamed(head: CheckedContinuation<HTTPResponseHead, any Error>, body: HTTPBodyProducer)
    }

    let handle: UnsafeMutableRawPointer
    let cancelRequested = Atomic<Bool>(false)
    var delivery: Delivery?

    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var fileBody: OpaquePointer?
    /// The read-once source of an in-memory body that must not be resent (`HTTPRequest.sendsAtMostOnce`).
    private var onceBody: OpaquePointer?
    /// In-memory body copied once into storage libcurl may read from at any time (POSTFIELDS is not copied).
    private var requestBody: UnsafeMutableRawPointer?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var status = 0
    /// Header lines of the current response, kept as bytes (see `HTTPHeaders`).
    private var headerLines: [UInt8] = []
    private var headDelivered = false
    private var body = Data()
    private let bodyLimit: Int
    private var bodyTooLarge = false
    /// Whether libcurl is holding the transfer paused because the body's consumer is behind.
    var paused = false
    /// A streamed request body's buffer (`HTTPBody.stream`), read by the read callback.
    private var bodyPump: RequestBodyPump?
    /// Whether libcurl is holding the upload paused because the streamed body's source is behind.
    var readPaused = false

    /// Whether libcurl may multiplex this transfer on a shared HTTP/2 connection (https, version not held to 1.1).
    private(set) var mayMultiplex = false
    /// Set by any transfer whose response came over HTTP/1.x; the event loop then lifts its per-host cap.
    static let sawHTTP1 = Atomic(false)

    /// `reusing` picks a particular idle handle of the pool (tests replay handle reuse with it).
    init(_ request: HTTPRequest, tls: TLSOptions = TLSOptions(), reusing idle: UnsafeMutableRawPointer? = nil) throws(TransportFailure) {
        guard let handle = idle.flatMap({ EasyHandlePool.shared.take($0) }) ?? EasyHandlePool.shared.take() else {
            throw TransportFailure(kind: .other, code: Int(CURLE_FAILED_INIT.rawValue), message: "curl_easy_init failed")
        }
        self.handle = handle
        self.bodyLimit = request.responseBodyLimit
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        headerLines.reserveCapacity(512)  // a typical head in one allocation
        do {
            try configure(request)
            try configure(tls, https: request.url.utf8.count > 8 && request.url.prefix(8).lowercased() == "https://")
        } catch {
            release()
            throw error
        }
    }

    private func check(_ code: CURLcode) throws(TransportFailure) {
        if code != CURLE_OK {
            throw TransportFailure(kind: .other, code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)))
        }
    }

    private func configure(_ request: HTTPRequest) throws(TransportFailure) {
        try check(fal_curl_setopt_str(handle, CURLOPT_URL, request.url))
        try check(fal_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        // Redirects are followed by the client itself, so credentials can be dropped on host changes.
        try check(fal_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        try check(fal_curl_restrict_to_http(handle, 0))
        try check(fal_curl_setopt_str(handle, CURLOPT_ACCEPT_ENCODING, ""))
        try check(fal_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        try check(fal_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)))
        if let timeout = request.timeout {
            try check(fal_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout)))
        }
        if let idle = request.idleTimeout {
            // Less than a byte a second over the idle time, in either direction: nothing is moving. libcurl
            // skips this check while the transfer is paused for a slow consumer, which is not the server's fault.
            try check(fal_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1))
            let milliseconds = Self.milliseconds(idle)  // whole seconds, rounded up without overflowing at Int.max
            try check(fal_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, milliseconds / 1000 + (milliseconds % 1000 > 0 ? 1 : 0))))
        }
        try check(fal_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer))

        let method = request.method.uppercased()
        switch request.body {
        case .empty:
            if method == "GET" {
                try check(fal_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
            } else if method == "HEAD" {
                try check(fal_curl_setopt_long(handle, CURLOPT_NOBODY, 1))
            } else {
                try check(fal_curl_setopt_long(handle, CURLOPT_POST, 1))
                try check(fal_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0))
                try check(fal_curl_setopt_str(handle, CURLOPT_COPYPOSTFIELDS, ""))
                // No body bytes to refuse a rewind for: only a new connection rules the quiet resend out.
                if request.sendsAtMostOnce { try check(fal_curl_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1)) }
            }
        case .data(let data):
            try check(fal_curl_setopt_long(handle, CURLOPT_POST, 1))
            try check(fal_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(data.count)))
            let storage = UnsafeMutableRawPointer.allocate(byteCount: max(data.count, 1), alignment: 1)
            data.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { storage.copyMemory(from: base, byteCount: bytes.count) }
            }
            requestBody = storage
            if request.sendsAtMostOnce {
                var code = CURLE_OK
                onceBody = fal_curl_set_once_body(handle, storage, curl_off_t(data.count), &code)
                try check(code)
            } else {
                try check(fal_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, storage))
            }
        case .file(let path, let offset, let length):
            var errorNumber: Int32 = 0
            guard let source = fal_file_body_open(path, curl_off_t(offset), curl_off_t(length), &errorNumber) else {
                throw TransportFailure(kind: .other, code: Int(CURLE_READ_ERROR.rawValue), message: "cannot open \(path): \(String(cString: strerror(errorNumber)))")
            }
            fileBody = source
            try check(fal_curl_setopt_long(handle, CURLOPT_POST, 1))
            try check(fal_curl_set_file_body(handle, source))
        case .stream(let source):
            let pump = source.startPump(idleTimeout: request.idleTimeout)
            bodyPump = pump
            // The source caught up with a paused upload: the event loop unpauses it (never from here, the lock).
            pump.onData { [weak self] in
                if let self { CurlEventLoop.shared.resume(self) }
            }
            try check(fal_curl_setopt_long(handle, CURLOPT_POST, 1))
            try check(fal_curl_set_read_callback(handle, { buffer, size, count, userdata in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
                return transfer.sendBody(into: UnsafeMutableRawPointer(buffer!), capacity: size * count)
            }, Unmanaged.passUnretained(self).toOpaque(), source.length.map { curl_off_t($0) } ?? -1))
        }
        if method != "GET" && method != "POST" && method != "HEAD" {
            try check(fal_curl_setopt_str(handle, CURLOPT_CUSTOMREQUEST, method))
        }

        var list: UnsafeMutablePointer<curl_slist>?
        var line: [UInt8] = []  // one buffer for every `Name: value` line (libcurl copies each)
        line.reserveCapacity(256)
        for field in request.headers.fields {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: field.name.utf8)
            line.append(contentsOf: ": ".utf8)
            line.append(contentsOf: field.value.utf8)
            line.append(0)
            list = line.withUnsafeBufferPointer { curl_slist_append(list, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self)) }
        }
        // No "Expect: 100-continue" round trip before bodies; fal's hosts answer directly.
        if !request.headers.contains("Expect") { list = curl_slist_append(list, "Expect:") }
        if !request.headers.contains("Content-Type") {
            // Replace libcurl's form-encoded default: an empty body has no type, any other is opaque bytes.
            if case .empty = request.body {
                list = curl_slist_append(list, "Content-Type:")
            } else {
                list = curl_slist_append(list, "Content-Type: application/octet-stream")
            }
        }
        headerList = list
        try check(fal_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, list))

        let userdata = Unmanaged.passUnretained(self).toOpaque()
        try check(fal_curl_set_write_callback(handle, { data, size, count, userdata in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
            switch transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count)) {
            case .taken: return size * count
            case .pause: return fal_curl_writefunc_pause()
            case .abort: return 0
            }
        }, userdata))
        try check(fal_curl_set_header_callback(handle, { data, size, count, userdata in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
            transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }, userdata))
    }

    /// The trust store and HTTP version (libcurl's default already is HTTP/2 over TLS with ALPN, HTTP/1.1 otherwise).
    private func configure(_ tls: TLSOptions, https: Bool) throws(TransportFailure) {
        if let path = tls.trustedCertificatesPath {
            try check(fal_curl_setopt_str(handle, CURLOPT_CAINFO, path))
            // Only the bundle: no directory of the system's certificates beside it.
            try check(fal_curl_setopt_ptr(handle, CURLOPT_CAPATH, nil))
        }
        switch tls.httpVersion {
        case .automatic:
            mayMultiplex = https
            try check(fal_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)))
            // Wait for a connection being set up to the same host to say whether it multiplexes, instead of
            // opening one connection per concurrent request (1,000 subscribes: one TLS handshake, not hundreds).
            if https { try check(fal_curl_setopt_long(handle, CURLOPT_PIPEWAIT, 1)) }
        case .http1_1:
            try check(fal_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)))
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(clamping: duration.wholeMilliseconds))
    }

    // MARK: Callbacks (event loop lock held)

    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        let line = HTTPHeaders.trimmed(bytes[...])
        if line.starts(with: "HTTP/".utf8) {
            // A new status line: interim (1xx) responses and their headers are discarded.
            if line.starts(with: "HTTP/1.".utf8), !Self.sawHTTP1.load(ordering: .relaxed) { Self.sawHTTP1.store(true, ordering: .relaxed) }
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 2)
            status = fields.count > 1 ? Int(String(decoding: fields[1], as: UTF8.self)) ?? 0 : 0
            headerLines.removeAll(keepingCapacity: true)
        } else if line.isEmpty {
            if status >= 200, !headDelivered {
                headDelivered = true
                if case .streamed(let head, _) = delivery {
                    head.resume(returning: HTTPResponseHead(status: status, headers: HTTPHeaders(lines: headerLines)))
                }
            }
        } else {
            headerLines.append(contentsOf: line)
            headerLines.append(UInt8(ascii: "\n"))
        }
    }

    /// The read callback of a streamed request body: what is buffered, or a pause until the source sends more.
    private func sendBody(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        guard let bodyPump else { return fal_curl_readfunc_abort() }
        switch bodyPump.read(into: buffer, capacity: capacity) {
        case .bytes(let count): return count
        case .end: return 0
        case .wait:
            readPaused = true
            return fal_curl_readfunc_pause()
        case .failed: return fal_curl_readfunc_abort()
        }
    }

    /// What the write callback answers libcurl.
    enum BodyReceipt { case taken, pause, abort }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> BodyReceipt {
        switch delivery {
        case .streamed(_, let producer):
            switch producer.offer(Data(bytes)) {
            case .accepted: return .taken
            case .full:
                paused = true  // libcurl keeps these bytes and hands them over again after unpausing
                return .pause
            case .terminated: return .abort
            }
        case .buffered:
            if body.count + bytes.count > bodyLimit {
                bodyTooLarge = true
                return .abort
            }
            body.append(contentsOf: bytes)
            return .taken
        case nil:
            return .abort
        }
    }

    // MARK: Completion (event loop lock held)

    /// Delivers the outcome exactly once. The loop then takes the handle off the multi and calls `release`,
    /// so that work overlaps the waiting task's wake-up instead of coming before it.
    func deliver(_ code: CURLcode) {
        if code == CURLE_OK {
            succeed()
        } else {
            var message = String(cString: errorBuffer)
            if message.isEmpty { message = String(cString: curl_easy_strerror(code)) }
            var kind = Self.kind(of: code, requestBytesSent: fal_curl_getinfo_long(handle, CURLINFO_REQUEST_SIZE))
            if code == CURLE_SEND_FAIL_REWIND, onceBody != nil {
                // libcurl wanted to send it again on a new connection; the read-once body stopped it.
                kind = .other
                message = "the connection was lost after the request was sent, before any answer; it was not sent again, as it may already have started work"
            }
            if let reason = bodyPump?.failureReason {
                kind = bodyPump?.failedOnLimit == true ? .limit : .other
                message = "the request body could not be sent: \(reason)"
            }
            if kind == .tls {
                message = "TLS: the server's certificate was refused (\(message))"
            }
            if bodyTooLarge {
                kind = .limit
                message = "response body exceeds the limit of \(bodyLimit) bytes"
            }
            fail(TransportFailure(kind: kind, code: Int(code.rawValue), message: message, receivedStatus: headDelivered ? status : nil))
        }
    }

    /// libcurl's codes in the transport-neutral terms: a connect failure only when nothing was sent.
    static func kind(of code: CURLcode, requestBytesSent: Int) -> TransportFailure.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .connect
        case CURLE_OPERATION_TIMEDOUT:
            // The same code for the connect timeout, the deadline and the idle (low-speed) limit.
            return requestBytesSent <= 0 ? .connect : .timeout
        case CURLE_SSL_CONNECT_ERROR:
            return requestBytesSent <= 0 ? .connect : .other
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE:
            // Certificate verification failed during the handshake: nothing sent, and resending cannot help.
            return .tls
        default:
            return .other
        }
    }

    func finishCancelled() {
        fail(CancellationError())
        release()
    }

    private func succeed() {
        let head = HTTPResponseHead(status: status, headers: HTTPHeaders(lines: headerLines))
        switch delivery {
        case .buffered(let continuation):
            continuation.resume(returning: HTTPResponse(status: head.status, headers: head.headers, body: body))
        case .streamed(let headContinuation, let producer):
            if !headDelivered { headContinuation.resume(returning: head) }
            producer.finish()
        case nil:
            break
        }
        delivery = nil
    }

    private func fail(_ error: any Error) {
        switch delivery {
        case .buffered(let continuation):
            continuation.resume(throwing: error)
        case .streamed(let head, let producer):
            if !headDelivered { head.resume(throwing: error) }
            producer.finish(throwing: error)
        case nil:
            break
        }
        delivery = nil
    }

    private var released = false

    /// Frees libcurl's resources and returns the handle to the pool; the handle is off the multi.
    func release() {
        guard !released else { return }
        released = true
        EasyHandlePool.shared.give(handle)
        curl_slist_free_all(headerList)
        headerList = nil
        fal_file_body_free(fileBody)
        fileBody = nil
        fal_once_body_free(onceBody)
        onceBody = nil
        requestBody?.deallocate()
        requestBody = nil
        bodyPump?.stop()
    }

    deinit {
        release()
        errorBuffer.deallocate()
    }
}

/// Reset easy handles kept for reuse: saves libcurl's per-handle setup on every request.
final class EasyHandlePool: Sendable {
    static let shared = EasyHandlePool()
    private static let capacity = 128
    /// A handle no transfer is using; only one owner at a time touches it.
    private struct Idle: @unchecked Sendable { var pointer: UnsafeMutableRawPointer }
    private let handles = Mutex<[Idle]>([])

    func take() -> UnsafeMutableRawPointer? {
        handles.withLock { $0.popLast() }?.pointer ?? curl_easy_init()
    }

    /// Takes `wanted` out of the pool if it is idle there.
    func take(_ wanted: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        handles.withLock { handles in
            guard let index = handles.firstIndex(where: { $0.pointer == wanted }) else { return nil }
            return handles.remove(at: index).pointer
        }
    }

    func give(_ handle: UnsafeMutableRawPointer) {
        curl_easy_reset(handle)
        let idle = Idle(pointer: handle)
        let kept = handles.withLock { handles in
            guard handles.count < Self.capacity else { return false }
            handles.append(idle)
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }
}
#endif
