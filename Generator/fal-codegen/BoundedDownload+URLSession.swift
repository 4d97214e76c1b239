#if !canImport(CCurlShim)
import FalCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// URLSession, for a build without libcurl (the `LibcurlTransport` trait off). The same cap and bounds, as far as
/// URLSession can keep them: a `Content-Length` over the cap is refused at the response head, a body without
/// one is cancelled at the first byte past the cap and nothing after it is kept, and the deadline is a timer of
/// its own (Linux ignores `timeoutIntervalForResource`). On Linux, FoundationNetworking may still read ahead
/// for a while after the cancel: the body kept is capped, what it reads ahead is not (libcurl's path has no
/// such gap).
extension BoundedDownload {
    static func get(_ url: URL, limit: Int, timeout: Duration, headers: [(String, String)] = []) async throws -> Response {
        guard let scheme = url.scheme, ["http", "https"].contains(scheme) else {
            throw Failure.transfer("unsupported URL scheme in \(url.absoluteString)")
        }
        let download = Download(limit: limit)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10            // connect, and any 10 s without progress
        configuration.timeoutIntervalForResource = timeout.inSeconds
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        var request = URLRequest(url: url)
        request.setValue("fal-codegen", forHTTPHeaderField: "User-Agent")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let task = session.dataTask(with: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                download.start(task, continuation: continuation, deadline: timeout)
            }
        } onCancel: {
            download.finish(.failure(CancellationError()))
        }
    }

    /// One transfer's state; the session's delegate queue and the deadline timer both reach it, under the lock.
    private final class Download: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        private let limit: Int
        private let lock = NSLock()
        private var body = Data()
        private var status = 0
        private var redirects = 0
        private var task: URLSessionDataTask?
        private var continuation: CheckedContinuation<Response, any Error>?
        private var finished = false

        init(limit: Int) { self.limit = limit }

        func start(_ task: URLSessionDataTask, continuation: CheckedContinuation<Response, any Error>, deadline: Duration) {
            let cancelledEarly = lock.withLock {
                self.task = task
                if finished { return true }
                self.continuation = continuation
                return false
            }
            if cancelledEarly { continuation.resume(throwing: CancellationError()); return }
            DispatchQueue.global().asyncAfter(deadline: .now() + deadline.inSeconds) { [weak self] in
                self?.finish(.failure(Failure.timedOut))
            }
            task.resume()
        }

        /// Resumes the caller once, with the first outcome; later data and callbacks are dropped.
        func finish(_ result: Result<Response, any Error>) {
            let (continuation, task): (CheckedContinuation<Response, any Error>?, URLSessionDataTask?) = lock.withLock {
                guard !finished else { return (nil, nil) }
                finished = true
                defer { self.continuation = nil; body = Data() }
                return (self.continuation, self.task)
            }
            if case .failure = result { task?.cancel() }
            continuation?.resume(with: result)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
            if response.expectedContentLength > Int64(limit) {
                completionHandler(.cancel)
                finish(.failure(Failure.tooLarge))
                return
            }
            lock.withLock { status = (response as? HTTPURLResponse)?.statusCode ?? 0 }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            let overLimit = lock.withLock {
                guard !finished else { return false }
                guard body.count + data.count <= limit else { return true }
                body.append(data)
                return false
            }
            if overLimit { finish(.failure(Failure.tooLarge)) }
        }

        /// At most 5 redirects, and only to http(s), as libcurl's path allows.
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
            let allowed = lock.withLock {
                redirects += 1
                return redirects <= 5 && ["http", "https"].contains(request.url?.scheme ?? "")
            }
            completionHandler(allowed ? request : nil)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            if let error {
                let timedOut = (error as? URLError)?.code == .timedOut
                finish(.failure(timedOut ? Failure.timedOut : Failure.transfer(error.localizedDescription)))
                return
            }
            let response = lock.withLock { Response(status: status, body: body) }
            finish(.success(response))
        }
    }
}
#endif
