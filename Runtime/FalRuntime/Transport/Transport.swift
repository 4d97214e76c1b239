/// How `FalClient` moves bytes: the two operations the runtime needs, over any HTTP stack.
///
/// `HTTPTransport` (libcurl, the default on Linux and macOS) and `URLSessionTransport` (the default on iOS,
/// tvOS, watchOS and visionOS) conform; `FalClient(configuration:transport:)` takes any conforming type, and
/// every request the runtime makes (queue, run, streams, storage, multipart parts) goes through it.
///
/// The contract every transport keeps (the runtime's safety depends on it; `TransportContractTests` checks it
/// against both transports):
/// - **No redirects are followed.** A 3xx comes back as the response; `FalClient` follows redirects itself,
///   dropping the key when the host changes.
/// - **A non-2xx status is a value, not an error**: a response with its status, headers and body.
/// - **Stopping iteration of a streamed body aborts the transfer** (leaving the loop, dropping the iterator,
///   or cancelling the iterating task), and the body is read into a bounded buffer: a slow consumer pauses
///   the transfer rather than growing memory (`HTTPBodyStream`).
/// - **Task cancellation throws `CancellationError`** and aborts the transfer promptly.
/// - **Every wait is bounded**: `request.timeout` is a whole-transfer deadline (nil: none),
///   `request.connectTimeout` bounds connecting, `request.idleTimeout` bounds the time without progress.
///   A buffered body longer than `request.responseBodyLimit` fails the transfer with kind `.limit`.
/// - **Failures are `TransportFailure`**, saying whether it was a connect failure (nothing reached the
///   server: safe to send again), a timeout, or something else, and whether a response had begun
///   (`receivedStatus`): retries of requests that must not run twice depend on both.
/// - **The request is sent as given**: headers unchanged (the transport adds none that change meaning; a
///   body without `Content-Type` goes as `application/octet-stream`), and a `.file` body is streamed from
///   its byte range with exactly `length` as its `Content-Length`.
public protocol Transport: Sendable {
    /// Sends a request and collects the whole response body (at most `request.responseBodyLimit` bytes).
    func send(_ request: HTTPRequest) async throws -> HTTPResponse

    /// Sends a request and returns once the final response head arrived; the body follows as a bounded stream.
    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse

    /// How many multipart parts to upload at once at most, when the transport holds a part in memory while
    /// sending it (nil: no limit beyond the configuration's).
    var maximumConcurrentPartUploads: Int? { get }
}

extension Transport {
    public var maximumConcurrentPartUploads: Int? { nil }
}

/// The platform's default transport: libcurl where it exists (Linux, macOS), URLSession elsewhere.
public func defaultTransport() -> any Transport {
    #if canImport(CCurlShim)
    return HTTPTransport()
    #else
    return URLSessionTransport.shared
    #endif
}
