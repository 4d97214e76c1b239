import FalProxy
import FalRuntime
import Foundation
import Vapor

extension RoutesBuilder {
    /// Serves `proxy` at `path` (fal-js's default is `api/fal/proxy`) for the methods fal's API uses, with
    /// request bodies streamed (Vapor collects them otherwise).
    ///
    ///     app.addFalProxy(at: "api", "fal", "proxy", proxy: FalProxy(configuration: .init(authentication: .using { request in
    ///         await sessions.isSignedIn(request.headers["Authorization"])
    ///     })))
    public func addFalProxy(at path: PathComponent..., proxy: FalProxy) {
        for method in [HTTPMethod.GET, .HEAD, .POST, .PUT, .DELETE] {
            on(method, path, body: .stream) { request async -> Response in
                await FalProxyVapor.respond(to: request, with: proxy)
            }
        }
    }
}

/// The Vapor 4 adapter: a Vapor request in, streamed both ways, a Vapor response out.
public enum FalProxyVapor {
    /// Answers `request` through `proxy`; the body is read as fal takes it, fal's answer written as it arrives.
    public static func respond(to request: Request, with proxy: FalProxy) async -> Response {
        let fields = request.headers.map { (name: $0.name, value: $0.value) }
        let length = request.headers.first(name: .contentLength).flatMap { Int64($0) }
        let proxied = ProxyRequest(
            method: request.method.rawValue, headers: FalRuntime.HTTPHeaders(fields),
            body: ProxyRequestBody(ByteBufferChunks(base: request.body), length: length),
            remoteAddress: request.remoteAddress?.description)
        let answer = await proxy.handle(proxied)
        var headers = NIOHTTP1.HTTPHeaders()
        for field in answer.headers.fields { headers.add(name: field.name, value: field.value) }
        let status = HTTPResponseStatus(statusCode: answer.status)
        switch answer.body {
        case .data(let data):
            return Response(status: status, headers: headers, body: .init(data: data))
        case .stream(let stream):
            // Each chunk as it arrives (a server-sent event is written when fal sends it); Vapor ends the body.
            let length = answer.headers["Content-Length"].flatMap { Int($0) } ?? -1
            return Response(status: status, headers: headers, body: .init(managedAsyncStream: { writer in
                for try await chunk in stream {
                    try await writer.write(.buffer(ByteBuffer(bytes: chunk)))
                }
            }, count: length))
        }
    }
}

/// Vapor's streamed request body as `Data` chunks, pulled one at a time.
struct ByteBufferChunks: AsyncSequence, Sendable {
    typealias Element = Data
    let base: Request.Body

    func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator()) }

    struct Iterator: AsyncIteratorProtocol {
        var base: Request.Body.AsyncIterator
        mutating func next() async throws -> Data? {
            guard let buffer = try await base.next() else { return nil }
            return Data(buffer.readableBytesView)
        }
    }
}
