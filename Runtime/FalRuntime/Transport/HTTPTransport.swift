import Foundation

/// async/await over the shared libcurl event loop. Cancelling the calling task aborts the transfer.
public struct HTTPTransport: Sendable {
    public init() {}

    /// Sends a request and collects the whole response body.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await send(CurlTransfer(request))
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

    /// Sends a request and returns once the response head arrived; the body follows as a stream.
    /// Ending iteration early (or cancelling the iterating task) aborts the transfer.
    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let transfer = try CurlTransfer(request)
        let loop = CurlEventLoop.shared
        let (body, bodyContinuation) = AsyncThrowingStream<Data, any Error>.makeStream(bufferingPolicy: .unbounded)
        bodyContinuation.onTermination = { termination in
            if case .cancelled = termination { loop.cancel(transfer) }
        }
        let head = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.delivery = .streamed(head: continuation, body: bodyContinuation)
                loop.start(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
        return HTTPStreamingResponse(head: head, body: body)
    }
}
