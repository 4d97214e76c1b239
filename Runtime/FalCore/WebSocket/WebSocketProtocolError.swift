/// The peer broke RFC 6455 (or a limit this side set): the connection is failed, and `closeCode` is the code
/// to send in the close frame before closing the socket.
public struct WebSocketProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The close code this violation calls for: 1002 (protocol error), 1007 (invalid payload data, e.g. text
    /// that is not UTF-8) or 1009 (message too big).
    public var closeCode: UInt16
    /// What was wrong, for diagnostics.
    public var message: String

    /// A violation answered with `closeCode`, described by `message`.
    public init(closeCode: UInt16, message: String) {
        self.closeCode = closeCode
        self.message = message
    }

    /// `WebSocket protocol error (close code 1002): …`.
    public var description: String { "WebSocket protocol error (close code \(closeCode)): \(message)" }

    /// 1002: a malformed or unexpected frame.
    package static func protocolError(_ message: String) -> Self { Self(closeCode: WebSocketCloseFrame.protocolError, message: message) }
    /// 1007: a payload that is not what its type promises (text that is not UTF-8).
    package static func invalidData(_ message: String) -> Self { Self(closeCode: WebSocketCloseFrame.invalidPayloadData, message: message) }
    /// 1009: a message larger than this side accepts.
    package static func tooBig(_ message: String) -> Self { Self(closeCode: WebSocketCloseFrame.messageTooBig, message: message) }
}
