import FalCore
import NIOCore
import NIOHTTP1

/// Why a realtime handshake is refused, as the HTTP answer the client gets instead of `101`.
struct RealtimeRefusal: Sendable, Error {
    var status: Int
    var body: JSONValue

    /// fal's error body, `{"detail": "…"}`.
    init(status: Int, detail: String) {
        self.status = status
        body = ["detail": .string(detail)]
    }
}

/// Turns HummingbirdWebSocket's answer to a refused upgrade into the emulator's.
///
/// When `shouldUpgrade` declines, HummingbirdWebSocket answers a bare `400` with no body, whatever the reason.
/// fal answers 401/403 for credentials, and clients (and tests) tell those apart, so the handshake puts this
/// handler into the connection's pipeline before declining: it sits below the HTTP codec, sees that `400`
/// head and its end, and sends the refusal's status and JSON body in their place (`Connection: close`, as
/// the original). Nothing else passes through it: the connection is closed after that one answer.
final class UpgradeRefusalHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let refusal: RealtimeRefusal

    init(_ refusal: RealtimeRefusal) { self.refusal = refusal }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            let body = JSONCoding.data(refusal.body)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.count))
            headers.add(name: "Connection", value: "close")
            let replaced = HTTPResponseHead(version: head.version, status: .init(statusCode: refusal.status), headers: headers)
            context.write(wrapOutboundOut(.head(replaced)), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: promise)
        case .body:
            // The declined upgrade's answer has no body; the refusal's was written with the head.
            promise?.succeed(())
        case .end(let trailers):
            context.write(wrapOutboundOut(.end(trailers)), promise: promise)
        }
    }
}
