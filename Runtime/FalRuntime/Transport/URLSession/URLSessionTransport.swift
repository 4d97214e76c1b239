import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Security)
import Security
#endif

/// A `Transport` over Foundation's `URLSession`: the default on iOS, tvOS, watchOS and visionOS (no libcurl
/// there), and usable anywhere, including Linux through FoundationNetworking, where it is tested.
///
/// It keeps the `Transport` contract on both Foundations by avoiding what differs between them:
/// - every request is a data or upload task whose bytes arrive through one session-level
///   `URLSessionDataDelegate` (Linux has no `bytes(for:)`, and ignores per-task delegates);
/// - the session delegate refuses every redirect, so a 3xx comes back as the response;
/// - the whole-transfer deadline and the connect timeout run as tasks of this transport (Linux ignores
///   `timeoutIntervalForResource`); `timeoutInterval`, an idle timeout in whole seconds, carries
///   `idleTimeout`;
/// - `URLError(.cancelled)` from a cancelled task becomes `CancellationError`;
/// - `Content-Type` is always set when there is a body (a POST without one gets form encoding);
/// - files upload with `uploadTask(with:fromFile:)`, which streams from disk; a file range (a multipart part)
///   is first copied to a temporary file of its own and uploaded from there (an `InputStream` body is sent
///   chunked even with a length, and a part held as `Data` kept 10 MiB blocks per part in flight that glibc's
///   malloc did not hand back: a 1 GiB upload peaked at 158 MiB RSS that way);
/// - a streamed body's consumer falling behind suspends the task until it catches up;
/// - a request that must not be resent (`HTTPRequest.sendsAtMostOnce`: submit, run) goes over a session of
///   its own, so over a new connection: URLSession, like libcurl beneath Linux's FoundationNetworking, quietly
///   sends a request again when a reused keep-alive connection dies before the answer, and it has no switch
///   to turn that off.
///
/// Trust: the platform's store by default. On Apple platforms `init(configuration:tls:)` trusts a private CA
/// (a PEM bundle) through the session's server-trust challenge. Linux's FoundationNetworking has no such hook
/// (it never asks the delegate about server trust, and reads `URLSessionCertificateAuthorityInfoFile` only on
/// Android): there a private CA must be in the system's store (Debian: `/etc/ssl/certs/ca-certificates.crt`),
/// and a certificate it does not trust fails with `TransportErrorKind.tls`. URLSession picks the HTTP version
/// itself (HTTP/2 over TLS where the server offers it).
public final class URLSessionTransport: Transport, @unchecked Sendable {
    /// One transport (one session and its connection pool) for the process's default clients.
    public static let shared = URLSessionTransport()

    private let session: URLSession
    private let delegate: URLSessionTransportDelegate
    private let delegateQueue: OperationQueue

    /// Parts uploading at once: Linux's FoundationNetworking reads a few MiB ahead of each file upload, so
    /// 10 parts in flight peaked at 77 MiB RSS for a 1 GiB upload, 4 at 62 MiB; 3 leave a margin under 64 MiB.
    public var maximumConcurrentPartUploads: Int? { 3 }

    /// `configuration` defaults to `URLSessionTransport.defaultConfiguration()`.
    public convenience init(configuration: URLSessionConfiguration = URLSessionTransport.defaultConfiguration()) {
        self.init(configuration: configuration, delegate: URLSessionTransportDelegate())
    }

    #if canImport(Security)
    /// A transport trusting only the CA certificates in the PEM file at `tls.trustedCertificatesPath` (nil: the
    /// system's store), checked in the session's server-trust challenge; `tls.httpVersion` is not used
    /// (URLSession negotiates it). Throws `TransportFailure` (kind `.tls`) when the file holds no certificate.
    public convenience init(
        configuration: URLSessionConfiguration = URLSessionTransport.defaultConfiguration(), tls: TLSOptions
    ) throws {
        let delegate = URLSessionTransportDelegate()
        if let path = tls.trustedCertificatesPath { delegate.anchors = try TrustAnchors.load(path) }
        self.init(configuration: configuration, delegate: delegate)
    }
    #endif

    private init(configuration: URLSessionConfiguration, delegate: URLSessionTransportDelegate) {
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1  // delegate callbacks in order
        queue.name = "fal-urlsession-transport"
        self.delegate = delegate
        self.delegateQueue = queue
        self.session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    deinit { session.invalidateAndCancel() }

    /// Ephemeral (no cookies, cache or credential storage: the fal key is a header, nothing else persists),
    /// and enough connections per host for the runtime's concurrency.
    public static func defaultConfiguration() -> URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCredentialStorage = nil
        return configuration
    }

    /// Sends a request and collects the whole response body.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let exchange = URLSessionExchange(request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                exchange.delivery = .buffered(continuation)
                start(exchange, request)
            }
        } onCancel: {
            exchange.cancel()
        }
    }

    /// Sends a request and returns once the response head arrived; the body follows as a bounded stream.
    /// Ending iteration early (or cancelling the iterating task) cancels the task.
    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let exchange = URLSessionExchange(request)
        let (body, producer) = HTTPBodyStream.makeStream()
        producer.onTermination { exchange.cancel() }
        producer.onDemand { exchange.resumeReceiving() }
        let head = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                exchange.delivery = .streamed(head: continuation, body: producer)
                start(exchange, request)
            }
        } onCancel: {
            exchange.cancel()
        }
        return HTTPStreamingResponse(head: head, body: body)
    }

    private func start(_ exchange: URLSessionExchange, _ request: HTTPRequest) {
        let task: URLSessionTask, temporaryFile: String?
        do {
            (task, temporaryFile) = try makeTask(request)
        } catch {
            exchange.fail(error)
            return
        }
        delegate.register(task, exchange, removingWhenDone: temporaryFile)
        exchange.begin(task, request)
    }

    /// The task, and the temporary file it uploads from when it sends a range of a file (removed when it ends).
    private func makeTask(_ request: HTTPRequest) throws(TransportFailure) -> (URLSessionTask, String?) {
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw TransportFailure(kind: .other, code: URLError.unsupportedURL.rawValue, message: "unsupported URL \(request.url)")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method.uppercased()
        urlRequest.httpShouldHandleCookies = false
        urlRequest.cachePolicy = .reloadIgnoringLocalCacheData
        // An idle timeout in whole seconds; the deadline and connect timeout are this transport's own tasks.
        // At most a year: FoundationNetworking traps converting an interval of `.seconds(.max)` to milliseconds.
        urlRequest.timeoutInterval = request.idleTimeout.map { min(max(1, $0.inSeconds.rounded(.up)), RetryPolicy.longestDelaySeconds) } ?? 7 * 86_400
        for field in request.headers.fields { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        let hasBody: Bool
        switch request.body {
        case .empty: hasBody = false
        case .data(let data): hasBody = !data.isEmpty
        case .file(_, _, let length): hasBody = length > 0
        case .stream: hasBody = true
        }
        if hasBody && urlRequest.value(forHTTPHeaderField: "Content-Type") == nil {
            urlRequest.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        }
        // A session of its own has no idle connection to reuse, so nothing can be resent on a new one; it is
        // invalidated at once, which lets its one task finish and then releases it.
        let session = request.sendsAtMostOnce
            ? URLSession(configuration: self.session.configuration, delegate: delegate, delegateQueue: delegateQueue) : self.session
        defer { if request.sendsAtMostOnce { session.finishTasksAndInvalidate() } }
        switch request.body {
        case .empty:
            return (session.dataTask(with: urlRequest), nil)
        case .data(let data):
            return (data.isEmpty ? session.dataTask(with: urlRequest) : session.uploadTask(with: urlRequest, from: data), nil)
        case .file(let path, let offset, let length):
            let fileSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
            guard let fileSize, offset >= 0, length >= 0, offset + length <= fileSize else {
                throw TransportFailure(kind: .other, code: URLError.fileDoesNotExist.rawValue, message: "cannot read \(length) bytes at \(offset) of \(path)")
            }
            urlRequest.setValue(String(length), forHTTPHeaderField: "Content-Length")
            if offset == 0 && length == fileSize {
                return (session.uploadTask(with: urlRequest, fromFile: URL(fileURLWithPath: path)), nil)
            }
            let part = try Self.copyRange(of: path, offset: offset, length: length)
            return (session.uploadTask(with: urlRequest, fromFile: URL(fileURLWithPath: part)), part)
        case .stream:
            // URLSession's streamed uploads (bound stream pairs) block a thread per upload and cannot be
            // paused from Swift concurrency on Linux's Foundation; a proxy forwards over libcurl instead.
            throw TransportFailure(
                kind: .other, code: URLError.unsupportedURL.rawValue,
                message: "URLSessionTransport cannot send a streamed request body (HTTPBody.stream); use HTTPTransport (libcurl)")
        }
    }

    /// Copies a byte range of a file (a multipart part) to a new temporary file, 1 MiB at a time.
    static func copyRange(of path: String, offset: Int64, length: Int64) throws(TransportFailure) -> String {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("fal-part-\(UUID().uuidString)").path
        do {
            let source = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? source.close() }
            guard FileManager.default.createFile(atPath: target, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let sink = FileHandle(forWritingAtPath: target) else {
                throw TransportFailure(kind: .other, code: URLError.cannotCreateFile.rawValue, message: "cannot create \(target)")
            }
            defer { try? sink.close() }
            try source.seek(toOffset: UInt64(offset))
            var remaining = length
            while remaining > 0 {
                let chunk = try source.read(upToCount: Int(min(remaining, 1 << 20))) ?? Data()
                guard !chunk.isEmpty else {
                    throw TransportFailure(kind: .other, code: URLError.cannotOpenFile.rawValue, message: "\(path) is shorter than expected")
                }
                try sink.write(contentsOf: chunk)
                remaining -= Int64(chunk.count)
            }
            return target
        } catch {
            try? FileManager.default.removeItem(atPath: target)
            if let failure = error as? TransportFailure { throw failure }
            throw TransportFailure(kind: .other, code: URLError.cannotOpenFile.rawValue, message: "cannot read \(path): \(error.localizedDescription)")
        }
    }
}

/// The session's one delegate: routes each task's events to its exchange.
/// Tasks are told apart by identity: task identifiers are unique within one session only, and one-shot
/// sessions share this delegate.
final class URLSessionTransportDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var exchanges: [ObjectIdentifier: URLSessionExchange] = [:]
    private var temporaryFiles: [ObjectIdentifier: String] = [:]

    /// Routes `task`'s events to `exchange`; `temporaryFile`, if any, is removed when the task ends.
    func register(_ task: URLSessionTask, _ exchange: URLSessionExchange, removingWhenDone temporaryFile: String? = nil) {
        lock.withLock {
            exchanges[ObjectIdentifier(task)] = exchange
            if let temporaryFile { temporaryFiles[ObjectIdentifier(task)] = temporaryFile }
        }
    }

    private func exchange(_ task: URLSessionTask) -> URLSessionExchange? {
        lock.withLock { exchanges[ObjectIdentifier(task)] }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        // The 3xx is the response: FalClient decides where (and with which key) to go. Linux's Foundation
        // traps when the task is cancelled between this callback and its completion, so cancellation waits
        // until the 3xx arrives as the response.
        exchange(task)?.holdCancellation()
        completionHandler(nil)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        exchange(dataTask)?.receiveHead(response)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        exchange(dataTask)?.receive(data)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, didSendBodyData bytesSent: Int64, totalBytesSent: Int64, totalBytesExpectedToSend: Int64
    ) {
        exchange(task)?.sentBody(totalBytesSent)
    }

    #if canImport(Security)
    /// CA certificates to trust instead of the system's store; nil: the system's store (the default handling).
    var anchors: [SecCertificate]?

    func urlSession(
        _ session: URLSession, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        guard let anchors, challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodServerTrust,
              let trust = challenge.protectionSpace.serverTrust else {
            completionHandler(.performDefaultHandling, nil)
            return
        }
        // The host name is checked as usual (the SSL policy for the challenge's host); only the anchors change.
        SecTrustSetPolicies(trust, SecPolicyCreateSSL(true, challenge.protectionSpace.host as CFString))
        SecTrustSetAnchorCertificates(trust, anchors as CFArray)
        SecTrustSetAnchorCertificatesOnly(trust, true)
        var error: CFError?
        if SecTrustEvaluateWithError(trust, &error) {
            completionHandler(.useCredential, URLCredential(trust: trust))
        } else {
            completionHandler(.cancelAuthenticationChallenge, nil)  // the task fails with a certificate error
        }
    }
    #endif

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (exchange, temporaryFile) = lock.withLock {
            (exchanges.removeValue(forKey: ObjectIdentifier(task)), temporaryFiles.removeValue(forKey: ObjectIdentifier(task)))
        }
        if let temporaryFile { try? FileManager.default.removeItem(atPath: temporaryFile) }
        exchange?.complete(error)
    }
}

#if canImport(Security)
/// CA certificates from a PEM bundle, for `URLSessionTransport`'s server-trust check.
enum TrustAnchors {
    static func load(_ path: String) throws(TransportFailure) -> [SecCertificate] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TransportFailure(kind: .tls, code: 0, message: "TLS: cannot read the trusted certificates at \(path)")
        }
        var certificates: [SecCertificate] = []
        var base64: String?
        for line in text.split(whereSeparator: \.isNewline) {
            let line = line.trimmingCharacters(in: .whitespaces)
            if line == "-----BEGIN CERTIFICATE-----" {
                base64 = ""
            } else if line == "-----END CERTIFICATE-----" {
                if let encoded = base64, let der = Data(base64Encoded: encoded),
                   let certificate = SecCertificateCreateWithData(nil, der as CFData) {
                    certificates.append(certificate)
                }
                base64 = nil
            } else if base64 != nil {
                base64! += line
            }
        }
        guard !certificates.isEmpty else {
            throw TransportFailure(kind: .tls, code: 0, message: "TLS: no PEM certificate in \(path)")
        }
        return certificates
    }
}
#endif
