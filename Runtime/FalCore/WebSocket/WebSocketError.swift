/// Why a WebSocket connection could not open, or ended other than by an orderly close.
public enum WebSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL or headers cannot be sent (not `ws`/`wss`, a header with a line break).
    case invalidRequest(String)
    /// Connecting failed (name resolution, TCP, TLS, proxy): nothing reached the server.
    case connectFailed(String)
    /// A bounded wait passed: connecting, the opening handshake, a send the server did not read, or the
    /// closing handshake. The message says which.
    case timedOut(String)
    /// The server did not switch to WebSocket: it answered with `status` (0 when the answer was not HTTP at
    /// all), or with 101 but headers that do not complete the handshake.
    case handshakeFailed(status: Int, message: String)
    /// The server broke the protocol; the connection was closed with the error's close code.
    case protocolViolation(WebSocketProtocolError)
    /// The server closed the connection with a code other than 1000 (normal closure); the close frame
    /// was answered.
    case closedByServer(WebSocketCloseFrame)
    /// The connection broke: reset, end of stream without a close frame, or a TLS failure.
    case connectionLost(String)
    /// The connection was already closed when a message was sent.
    case notOpen

    /// A sentence for logs, e.g. `WebSocket handshake failed: HTTP 200 (expected 101): …`.
    public var description: String {
        switch self {
        case .invalidRequest(let message): "invalid WebSocket request: \(message)"
        case .connectFailed(let message): "WebSocket connect failed: \(message)"
        case .timedOut(let message): "WebSocket timed out: \(message)"
        case .handshakeFailed(let status, let message):
            status == 0 || status == 101
                ? "WebSocket handshake failed: \(message)"
                : "WebSocket handshake failed: HTTP \(status) (expected 101): \(message)"
        case .protocolViolation(let error): "\(error)"
        case .closedByServer(let close): "WebSocket closed by the server: \(close)"
        case .connectionLost(let message): "WebSocket connection lost: \(message)"
        case .notOpen: "the WebSocket connection is not open"
        }
    }
}
