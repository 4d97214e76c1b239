import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
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
/// - files upload with `uploadTask(with:fromFile:)`, and a file range (a multipart part) as a bounded
///   `Data` (an `InputStream` body is sent chunked even with a length), with fewer parts in flight;
/// - a streamed body's consumer falling behind suspends the task until it catches up.
public final class URLSessionTransport: Transport, @unchecked Sendable {
    /// One transport (one session and its connection pool) for the process's default clients.
    public static let shared = URLSessionTransport()

    private let session: URLSession
    private let delegate: URLSessionTransportDelegate

    /// Parts held in memory while uploading: 3 × the 10 MiB default part size.
    public var maximumConcurrentPartUploads: Int? { 3 }

    /// `configuration` defaults to `URLSessionTransport.defaultConfiguration()`.
    public init(configuration: URLSessionConfiguration = URLSessionTransport.defaultConfiguration()) {
        let delegate = URLSessionTransportDelegate()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1  // delegate callbacks in order
        queue.name = "fal-urlsession-transport"
        self.delegate = delegate
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
        let task: URLSessionTask
        do {
            task = try makeTask(request)
        } catch {
            exchange.fail(error)
            return
        }
        delegate.register(task, exchange)
        exchange.begin(task, request)
    }

    private func makeTask(_ request: HTTPRequest) throws(TransportFailure) -> URLSessionTask {
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw TransportFailure(kind: .other, code: URLError.unsupportedURL.rawValue, message: "unsupported URL \(request.url)")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method.uppercased()
        urlRequest.httpShouldHandleCookies = false
        urlRequest.cachePolicy = .reloadIgnoringLocalCacheData
        // An idle timeout in whole seconds; the deadline and connect timeout are this transport's own tasks.
        urlRequest.timeoutInterval = request.idleTimeout.map { max(1, $0.inSeconds.rounded(.up)) } ?? 7 * 86_400
        for field in request.headers.fields { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        let hasBody: Bool
        switch request.body {
        case .empty: hasBody = false
        case .data(let data): hasBody = !data.isEmpty
        case .file(_, _, let length): hasBody = length > 0
        }
        if hasBody && urlRequest.value(forHTTPHeaderField: "Content-Type") == nil {
            urlRequest.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        }
        switch request.body {
        case .empty:
            return session.dataTask(with: urlRequest)
        case .data(let data):
            return data.isEmpty ? session.dataTask(with: urlRequest) : session.uploadTask(with: urlRequest, from: data)
        case .file(let path, let offset, let length):
            let fileSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
            guard let fileSize, offset >= 0, length >= 0, offset + length <= fileSize else {
                throw TransportFailure(kind: .other, code: URLError.fileDoesNotExist.rawValue, message: "cannot read \(length) bytes at \(offset) of \(path)")
            }
            urlRequest.setValue(String(length), forHTTPHeaderField: "Content-Length")
            if offset == 0 && length == fileSize {
                return session.uploadTask(with: urlRequest, fromFile: URL(fileURLWithPath: path))
            }
            return session.uploadTask(with: urlRequest, from: try Self.read(path, offset: offset, length: length))
        }
    }

    /// A byte range of a file (a multipart part), read whole: bounded by the part size.
    static func read(_ path: String, offset: Int64, length: Int64) throws(TransportFailure) -> Data {
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: Int(length)) ?? Data()
            guard data.count == Int(length) else {
                throw TransportFailure(kind: .other, code: URLError.cannotOpenFile.rawValue, message: "\(path) is shorter than expected")
            }
            return data
        } catch let failure as TransportFailure {
            throw failure
        } catch {
            throw TransportFailure(kind: .other, code: URLError.cannotOpenFile.rawValue, message: "cannot read \(path): \(error.localizedDescription)")
        }
    }
}

/// The session's one delegate: routes each task's events to its exchange.
final class URLSessionTransportDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var exchanges: [Int: URLSessionExchange] = [:]

    func register(_ task: URLSessionTask, _ exchange: URLSessionExchange) {
        lock.withLock { exchanges[task.taskIdentifier] = exchange }
    }

    private func exchange(_ task: URLSessionTask) -> URLSessionExchange? {
        lock.withLock { exchanges[task.taskIdentifier] }
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

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let exchange = lock.withLock { exchanges.removeValue(forKey: task.taskIdentifier) }
        exchange?.complete(error)
    }
}
