import Foundation

/// The code and reason of a WebSocket close frame (RFC 6455 §5.5.1, §7.4).
///
/// A close frame with no payload has no code on the wire; it is represented with `noStatusReceived` (1005),
/// which is never sent itself.
public struct WebSocketCloseFrame: Sendable, Equatable, CustomStringConvertible {
    /// The status code: `normalClosure` (1000) for an orderly end, 1001–1014 for the registered reasons,
    /// 3000–4999 for those of libraries and applications, `noStatusReceived` (1005) when the frame had none.
    public var code: UInt16
    /// The reason the peer gave, possibly empty (at most 123 UTF-8 bytes on the wire).
    public var reason: String

    /// A close with `code` and `reason`.
    public init(code: UInt16, reason: String = "") {
        self.code = code
        self.reason = reason
    }

    /// `close 1000 "bye"`.
    public var description: String { reason.isEmpty ? "close \(code)" : "close \(code) \"\(reason)\"" }

    /// 1000: the purpose of the connection was fulfilled.
    public static let normalClosure: UInt16 = 1000
    /// 1001: the endpoint is going away (server shutting down, client leaving).
    public static let goingAway: UInt16 = 1001
    /// 1002: the peer broke the protocol.
    public static let protocolError: UInt16 = 1002
    /// 1005: the close frame carried no code (never sent on the wire).
    public static let noStatusReceived: UInt16 = 1005
    /// 1006: the connection ended without a close frame (never sent on the wire).
    public static let abnormalClosure: UInt16 = 1006
    /// 1007: a message's data was not what its type promises (text that is not UTF-8).
    public static let invalidPayloadData: UInt16 = 1007
    /// 1009: a message was larger than the endpoint accepts.
    public static let messageTooBig: UInt16 = 1009
    /// 1011: the server hit an unexpected condition.
    public static let internalError: UInt16 = 1011

    /// Whether `code` may appear in a close frame on the wire: 1000–1003, 1007–1014 and 3000–4999.
    /// 1004 is reserved, 1005, 1006 and 1015 are for reporting only, the rest below 3000 is unassigned.
    package static func isValidOnTheWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }

    /// Reads a close frame's payload: empty (no code: 1005), or a 2-byte big-endian code then a UTF-8 reason.
    /// Throws 1002 for a 1-byte payload or a code not valid on the wire, 1007 for a reason that is not UTF-8.
    package static func parse(_ payload: some Collection<UInt8>) throws(WebSocketProtocolError) -> WebSocketCloseFrame {
        let bytes = Array(payload)
        if bytes.isEmpty { return WebSocketCloseFrame(code: noStatusReceived) }
        guard bytes.count >= 2 else { throw .protocolError("a close frame's payload of 1 byte (a code takes 2)") }
        let code = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        guard isValidOnTheWire(code) else { throw .protocolError("close code \(code) is not valid on the wire") }
        var validator = UTF8StreamValidator()
        guard validator.consume(bytes[2...]), validator.isAtBoundary else {
            throw .invalidData("the close frame's reason is not valid UTF-8")
        }
        return WebSocketCloseFrame(code: code, reason: String(decoding: bytes[2...], as: UTF8.self))
    }

    /// The payload of a close frame sending this code and reason: empty for `noStatusReceived`, else the code
    /// and the reason cut to at most 123 bytes at a character boundary (a control frame holds 125).
    package var payload: [UInt8] {
        guard code != Self.noStatusReceived else { return [] }
        var bytes: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xFF)]
        var reasonBytes = 0
        for character in reason {
            let utf8 = character.utf8
            guard reasonBytes + utf8.count <= 123 else { break }
            bytes.append(contentsOf: utf8)
            reasonBytes += utf8.count
        }
        return bytes
    }
}
