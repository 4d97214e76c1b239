/// A WebSocket frame's opcode (RFC 6455 §5.2): the four bits that say what the frame carries.
package enum WebSocketOpcode: UInt8, Sendable, Equatable, CustomStringConvertible {
    /// A further fragment of the message begun by a text or binary frame.
    case continuation = 0x0
    /// The first (or only) frame of a UTF-8 text message.
    case text = 0x1
    /// The first (or only) frame of a binary message.
    case binary = 0x2
    /// A close frame: optional 2-byte code and UTF-8 reason.
    case close = 0x8
    /// A ping, which the peer answers with a pong carrying the same payload.
    case ping = 0x9
    /// A pong: the answer to a ping, or an unsolicited heartbeat.
    case pong = 0xA

    /// Control frames (close, ping, pong) carry at most 125 bytes, are never fragmented, and may arrive
    /// between the fragments of a message.
    package var isControl: Bool { rawValue & 0x8 != 0 }

    /// The opcode's name as RFC 6455 spells it, for error messages.
    package var description: String {
        switch self {
        case .continuation: "continuation"
        case .text: "text"
        case .binary: "binary"
        case .close: "close"
        case .ping: "ping"
        case .pong: "pong"
        }
    }
}
