import Foundation
import Synchronization
@testable import FalRuntime

/// A transport that answers from a closure, in memory: for replaying what ClientFuzz (Tests/Fuzz) found, request by
/// request, through the client's normal API. `requests` records what the client sent, in order.
final class StubTransport: Transport, Sendable {
    enum Reply: Sendable {
        case response(Int, [(name: String, value: String)], String)
        /// A streamed body: its chunks, then the end (nil: a normal end).
        case stream(Int, [(name: String, value: String)], [String], end: (any Error & Sendable)?)
        case failure(any Error & Sendable)
    }

    private let answer: @Sendable (HTTPRequest, Int) -> Reply
    private let sent = Mutex<[HTTPRequest]>([])

    /// `answer` gets each request and its 0-based number.
    init(_ answer: @escaping @Sendable (HTTPRequest, Int) -> Reply) { self.answer = answer }

    var requests: [HTTPRequest] { sent.withLock { $0 } }

    private func reply(_ request: HTTPRequest) -> Reply {
        let number = sent.withLock { sent in
            sent.append(request)
            return sent.count - 1
        }
        return answer(request, number)
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        switch reply(request) {
        case .response(let status, let headers, let body): return HTTPResponse(status: status, headers: HTTPHeaders(headers), body: Data(body.utf8))
        case .stream(let status, let headers, let chunks, let end):
            if let end { throw end }
            return HTTPResponse(status: status, headers: HTTPHeaders(headers), body: Data(chunks.joined().utf8))
        case .failure(let error): throw error
        }
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let (status, headers, chunks, end): (Int, [(name: String, value: String)], [String], (any Error)?)
        switch reply(request) {
        case .response(let code, let fields, let body): (status, headers, chunks, end) = (code, fields, [body], nil)
        case .stream(let code, let fields, let parts, let failure): (status, headers, chunks, end) = (code, fields, parts, failure)
        case .failure(let error): throw error
        }
        let (stream, producer) = HTTPBodyStream.makeStream()
        for chunk in chunks { _ = producer.push(Data(chunk.utf8)) }
        producer.finish(throwing: end)
        return HTTPStreamingResponse(head: HTTPResponseHead(status: status, headers: HTTPHeaders(headers)), body: stream)
    }
}
