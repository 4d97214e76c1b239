import FalRuntime
import Foundation

/// A caller's request as the proxy sees it, whatever server framework received it.
public struct ProxyRequest: Sendable {
    /// `GET`, `POST`, `PUT`, …
    public var method: String
    /// The caller's headers, `x-fal-target-url` among them.
    public var headers: HTTPHeaders
    /// The caller's body, read as it is forwarded.
    public var body: ProxyRequestBody
    /// The caller's address as the server saw it, when known (for per-caller limits).
    public var remoteAddress: String?

    /// A request as an adapter received it.
    public init(method: String, headers: HTTPHeaders, body: ProxyRequestBody = .empty, remoteAddress: String? = nil) {
        self.method = method
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The URL the caller wants reached (`x-fal-target-url`).
    public var targetURL: String? { headers[FalProxy.targetURLHeader] }
}

/// A caller's request body: chunks from the server framework, pulled only as fast as fal takes them.
public struct ProxyRequestBody: Sendable {
    let source: HTTPRequestBodySource?
    /// The body's size when the caller declared it (`Content-Length`).
    public let length: Int64?

    /// No body.
    public static let empty = ProxyRequestBody(source: nil, length: 0)

    /// A body streamed from `chunks`; `length` is its declared size, when there is one.
    public init<Chunks: AsyncSequence & Sendable>(_ chunks: Chunks, length: Int64?) where Chunks.Element == Data {
        self.source = HTTPRequestBodySource(chunks, length: length)
        self.length = length
    }

    /// A body held in memory (tests, small bodies).
    public init(_ data: Data) {
        self.init(OneChunk(data: data), length: Int64(data.count))
    }

    private init(source: HTTPRequestBodySource?, length: Int64?) {
        self.source = source
        self.length = length
    }

    /// Whether there is nothing to send.
    var isEmpty: Bool { source == nil || length == 0 }

    private struct OneChunk: AsyncSequence, Sendable {
        let data: Data
        func makeAsyncIterator() -> Iterator { Iterator(data: data) }
        struct Iterator: AsyncIteratorProtocol {
            var data: Data?
            mutating func next() async -> Data? { defer { data = nil }; return data }
        }
    }
}

/// The proxy's answer: fal's (streamed as it arrives) or the proxy's own refusal.
public struct ProxyResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// Headers to send, hop-by-hop ones already removed.
    public var headers: HTTPHeaders
    /// The body.
    public var body: Body

    /// What the body is.
    public enum Body: Sendable {
        /// The proxy's own answer, small.
        case data(Data)
        /// fal's body as it arrives (server-sent events chunk by chunk); bounded buffer, backpressure to fal.
        case stream(HTTPBodyStream)
    }

    /// A response as the proxy builds it.
    public init(status: Int, headers: HTTPHeaders, body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The proxy's own refusal or failure: `{"detail": …}` as fal words its errors.
    static func detail(_ status: Int, _ message: String, extraHeaders: [(name: String, value: String)] = []) -> ProxyResponse {
        let json = (try? JSONSerialization.data(withJSONObject: ["detail": message])) ?? Data()
        return ProxyResponse(
            status: status, headers: HTTPHeaders([(name: "Content-Type", value: "application/json")] + extraHeaders), body: .data(json))
    }
}
