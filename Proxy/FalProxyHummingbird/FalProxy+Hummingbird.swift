import FalProxy
import FalRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

extension RouterMethods {
    /// Serves `proxy` at `path` (fal-js's default is `/api/fal/proxy`) for the methods fal's API uses.
    ///
    ///     let router = Router()
    ///     router.addFalProxy(at: "/api/fal/proxy", proxy: FalProxy(configuration: .init(authentication: .using { request in
    ///         await sessions.isSignedIn(request.headers["Authorization"])
    ///     })))
    ///
    /// `eventLoopGroup` is the group the server runs on (Hummingbird's default is `.singleton`): answers are
    /// written in step with it, so a fast answer cannot pile up in the server's write queue.
    @discardableResult
    public func addFalProxy(
        at path: RouterPath = "/api/fal/proxy", proxy: FalProxy, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) -> Self {
        for method in [HTTPTypes.HTTPRequest.Method.get, .head, .post, .put, .delete] {
            on(path, method: method) { request, context in
                await FalProxyHummingbird.respond(to: request, context: context, with: proxy, eventLoopGroup: eventLoopGroup)
            }
        }
        return self
    }
}

/// The Hummingbird 2 adapter: a Hummingbird request in, streamed both ways, a Hummingbird response out.
public enum FalProxyHummingbird {
    /// Answers `request` through `proxy`; the body is read as fal takes it, fal's answer written as it arrives.
    public static func respond<Context: RequestContext>(
        to request: Request, context: Context, with proxy: FalProxy,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async -> Response {
        let fields = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        let length = request.headers[.contentLength].flatMap { Int64($0) }
        let body = ProxyRequestBody(ByteBufferChunks(base: request.body), length: length)
        let proxied = ProxyRequest(
            method: request.method.rawValue, headers: FalRuntime.HTTPHeaders(fields), body: body,
            remoteAddress: (context as? any RemoteAddressRequestContext)?.remoteAddress.map { "\($0)" })
        let answer = await proxy.handle(proxied)
        var headers = HTTPFields()
        for field in answer.headers.fields {
            if let name = HTTPField.Name(field.name) { headers.append(HTTPField(name: name, value: field.value)) }
        }
        let status = HTTPTypes.HTTPResponse.Status(code: answer.status)
        switch answer.body {
        case .data(let data):
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        case .stream(let stream):
            let length = answer.headers["Content-Length"].flatMap { Int($0) }
            let loops = Array(eventLoopGroup.makeIterator())
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: length) { writer in
                // Each chunk as it arrives (a server-sent event is written when fal sends it). NIO's writer takes
                // a write from this task without waiting while the channel *was* writable, and learns that it no
                // longer is only once its event loop has run the writes queued so far: a fast upstream could
                // queue the whole body. So after each write this task waits for the event loops to run what is
                // queued (a task submitted after them runs after them); the next write then meets the channel's
                // real writability, and waits with it, which pauses fal's transfer through the stream's buffer.
                // Waiting every 256 KiB rather than every chunk bounds the queue to that much and keeps the hops rare.
                var unchecked = 0
                for try await chunk in stream {
                    try await writer.write(ByteBuffer(bytes: chunk))
                    unchecked += chunk.count
                    if unchecked >= 256 * 1024 {
                        unchecked = 0
                        for loop in loops { try await loop.submit {}.get() }
                    }
                }
                try await writer.finish(nil)
            })
        }
    }
}

/// Hummingbird's request body as `Data` chunks, pulled one at a time (its own backpressure reaches the socket).
struct ByteBufferChunks: AsyncSequence, Sendable {
    typealias Element = Data
    let base: RequestBody

    func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator()) }

    struct Iterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        mutating func next() async throws -> Data? {
            guard let buffer = try await base.next() else { return nil }
            return Data(buffer.readableBytesView)
        }
    }
}
