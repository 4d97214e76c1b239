#if canImport(CCurlShim)
import Foundation

/// The libcurl transport, the default on Linux and macOS: async/await over one shared libcurl multi handle
/// (`CurlEventLoop`), so every client of the process shares connections, TLS sessions and DNS answers.
/// Keeps the `Transport` contract: no redirects, non-2xx as values, bounded waits (libcurl's connect
/// timeout, whole-transfer timeout and low-speed limit), and streamed bodies that pause the transfer when
/// their consumer is behind. Cancelling the calling task aborts the transfer.
///
/// Over `https://` it asks for HTTP/2 (ALPN) and waits for a connection being set up to the same host rather
/// than opening another, so concurrent requests share one multiplexed connection; a certificate that does not
/// verify fails with `TransportErrorKind.tls`.
public struct HTTPTransport: Transport {
    /// Trust and HTTP version, applied to each of this transport's transfers (the connections they share
    /// with other transports are kept apart by libcurl when the trust settings differ).
    public let tls: TLSOptions

    /// A transport over the process's shared libcurl event loop: cheap to make, and every one shares connections.
    public init() { self.tls = TLSOptions() }

    /// A transport trusting `tls.trustedCertificatesPath` (a PEM bundle; nil: the system's store) and asking
    /// for `tls.httpVersion`.
    public init(tls: TLSOptions) { self.tls = tls }

    /// Sends a request and collects the whole response body.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await send(CurlTransfer(request, tls: tls))
    }

    func send(_ transfer: CurlTransfer) async throws -> HTTPResponse {
        let loop = CurlEventLoop.shared
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.delivery = .buffered(continuation)
                loop.start(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Sends a request and returns once the response head arrived; the body follows as a bounded stream.
    /// Ending iteration early (or cancelling the iterating task) aborts the transfer.
    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let transfer = try CurlTransfer(request, tls: tls)
        let loop = CurlEventLoop.shared
        let (body, producer) = HTTPBodyStream.makeStream()
        producer.onTermination { loop.cancel(transfer) }
        producer.onDemand { loop.resume(transfer) }
        let head = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.delivery = .streamed(head: continuation, body: producer)
                loop.start(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
        return HTTPStreamingResponse(head: head, body: body)
    }
}
#endif
