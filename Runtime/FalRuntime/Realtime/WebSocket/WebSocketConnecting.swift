import Foundation

/// What opening a WebSocket needs: the URL, extra handshake headers, and the bounds on every wait and
/// buffer. The defaults suit fal's realtime endpoints.
package struct WebSocketRequest: Sendable {
    /// A `ws://` or `wss://` URL (`http`/`https` are taken as the same).
    package var url: URL
    /// Extra headers for the opening handshake (e.g. `User-Agent`); `Host`, `Upgrade`, `Connection` and the
    /// `Sec-WebSocket-*` key, version and extensions are the handshake's own and refused here.
    package var headers: [(name: String, value: String)]
    /// Name resolution, TCP and TLS together.
    package var connectTimeout: Duration = .seconds(10)
    /// Sending the Upgrade request and reading the 101 answer.
    package var handshakeTimeout: Duration = .seconds(10)
    /// From `close` (or the server's close frame, or a protocol violation) to the socket being closed.
    package var closeTimeout: Duration = .seconds(5)
    /// How long output may wait without the server reading a byte before the connection fails with
    /// `WebSocketError.timedOut`: a server that stops reading cannot hold a sender forever.
    package var sendTimeout: Duration = .seconds(30)
    /// The largest message accepted from the server; a larger one fails the connection with close code 1009.
    package var maximumMessageBytes = WebSocketFrameParser.defaultMaximumMessageBytes
    /// Received messages held for a consumer that is behind, in bytes, before reading from the socket stops
    /// (the server is then held back by TCP). One message may go over it.
    package var receiveBufferBytes = 1 << 20
    /// Sent messages held before `send` waits for the server to read, in bytes. A message larger than this
    /// is still taken when nothing else is queued.
    package var sendBufferBytes = 1 << 20
    /// A PEM file of certificate authorities to trust instead of the system's (a private CA, tests). libcurl
    /// only; the URLSession connector uses the system's trust.
    package var caBundlePath: String?

    /// A request for `url` with extra handshake `headers`, and the default bounds.
    package init(url: URL, headers: [(name: String, value: String)] = []) {
        self.url = url
        self.headers = headers
    }
}

/// Opens WebSocket connections: the seam the realtime layer and the tests depend on, so either client (libcurl
/// where it is available, `URLSessionWebSocketTask` elsewhere) or a fake can be used.
package protocol WebSocketConnecting: Sendable {
    /// Connects and completes the opening handshake; throws `WebSocketError` (or `CancellationError`).
    func connect(_ request: WebSocketRequest) async throws -> any WebSocketConnection
}

/// One open WebSocket connection.
///
/// Messages are read from `messages` by one consumer; when the connection ends the sequence finishes
/// (after the messages that arrived before the end): normally after a close with code 1000 from either
/// side, or by throwing `WebSocketError` (`.closedByServer` with the server's code and reason for any
/// other code, `.protocolViolation`, `.connectionLost`, `.timedOut`). Pings are answered by the connection.
/// Keep the connection referenced while using it: dropping the last reference closes it (code 1001).
package protocol WebSocketConnection: Sendable {
    /// Received messages, in order, for one consumer. A slow consumer holds back reading (bounded memory).
    /// Cancelling the consuming task ends the sequence (not the connection).
    var messages: AsyncThrowingStream<WebSocketMessage, any Error> { get }

    /// Queues a message; waits while the send buffer is full. Throws the connection's failure once it
    /// ended (`WebSocketError.notOpen` after an orderly close), or `CancellationError`.
    func send(_ message: WebSocketMessage) async throws

    /// Sends a close frame after the queued messages, waits (at most the request's `closeTimeout`) for the
    /// server's close, then closes the socket. Returns at once if the connection already ended.
    func close(code: UInt16, reason: String) async

    /// The server's close frame, once one arrived.
    var serverClose: WebSocketCloseFrame? { get }
}

/// The platform's WebSocket client: libcurl where FalRuntime is built with it (Linux and macOS with the
/// `LibcurlTransport` trait), `URLSessionWebSocketTask` elsewhere.
package func defaultWebSocketConnector() -> any WebSocketConnecting {
    #if canImport(CCurlShim)
    return CurlWebSocketConnector()
    #else
    return URLSessionWebSocketConnector()
    #endif
}
