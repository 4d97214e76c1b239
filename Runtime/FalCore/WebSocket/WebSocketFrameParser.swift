/// The header of one WebSocket frame, as the parser read it.
package struct WebSocketFrameHeader: Sendable, Equatable {
    /// Whether this is the message's last frame (always true for control frames).
    package var fin: Bool
    /// What the frame carries.
    package var opcode: WebSocketOpcode
    /// The payload's length in bytes.
    package var length: Int

    /// A header of a frame with `opcode`, `length` payload bytes, final or not.
    package init(fin: Bool, opcode: WebSocketOpcode, length: Int) {
        self.fin = fin
        self.opcode = opcode
        self.length = length
    }
}

/// Reads the frames a server sends (RFC 6455 §5) from bytes fed in chunks of any size, split anywhere.
///
/// The payload is not buffered: it is handed out as it arrives (`.payload` events point into the caller's
/// bytes), so memory stays at the caller's chunk size whatever the frame's length. Every rule that can be
/// checked from the header is checked as soon as the header bytes arrive, before any payload is taken:
/// - 1002: a masked frame (servers never mask), RSV bits (no extension was negotiated), an unknown opcode,
///   a control frame over 125 bytes or fragmented, a continuation with no message begun, a new text or
///   binary frame while a fragmented message is unfinished, a 64-bit length with its top bit set;
/// - 1009: a data frame that takes its message over `maximumMessageBytes` (declared, not yet received),
///   including a fragmented message whose fragments add up to more.
///
/// After an error the parser is spent: every later call throws the same error.
package struct WebSocketFrameParser: Sendable {
    /// What the parser read from the bytes given so far.
    package enum Event {
        /// A frame's header: its payload follows as `.payload` events, then `.end`.
        case start(WebSocketFrameHeader)
        /// Some of the current frame's payload: points into the bytes passed to `next`, valid until then.
        case payload(UnsafeRawBufferPointer)
        /// The current frame's payload is complete.
        case end(WebSocketFrameHeader)
    }

    private enum State: Sendable {
        case header
        case payload(WebSocketFrameHeader, remaining: Int)
        case end(WebSocketFrameHeader)
    }

    /// The largest message accepted, in bytes (the default: 16 MiB).
    package let maximumMessageBytes: Int
    /// The default cap on a message: 16 MiB.
    package static let defaultMaximumMessageBytes = 16 << 20

    private var state = State.header
    private var headerBytes: [UInt8] = []
    private var headerLength = 2
    /// A text or binary message was begun by a non-final frame and has not ended.
    private var messageUnfinished = false
    /// Bytes the current message's frames declared so far.
    private var messageBytes = 0
    private var failure: WebSocketProtocolError?

    /// A parser refusing messages over `maximumMessageBytes` (at least 0).
    package init(maximumMessageBytes: Int = WebSocketFrameParser.defaultMaximumMessageBytes) {
        self.maximumMessageBytes = max(0, maximumMessageBytes)
        headerBytes.reserveCapacity(10)
    }

    /// Whether the bytes so far end between frames (no header or payload half read).
    package var isAtFrameBoundary: Bool {
        if case .header = state { return headerBytes.isEmpty }
        return false
    }

    /// The next event from `bytes`, starting at `offset` and advancing it past what was read; nil once
    /// `bytes` are used up (feed the next chunk). Throws at the first byte that breaks a rule.
    package mutating func next(in bytes: UnsafeRawBufferPointer, at offset: inout Int) throws(WebSocketProtocolError) -> Event? {
        if let failure { throw failure }
        switch state {
        case .end(let header):
            state = .header
            return .end(header)
        case .payload(let header, let remaining):
            guard offset < bytes.count else { return nil }
            let taken = min(remaining, bytes.count - offset)
            let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + taken)])
            offset += taken
            state = taken == remaining ? .end(header) : .payload(header, remaining: remaining - taken)
            return .payload(piece)
        case .header:
            while offset < bytes.count {
                headerBytes.append(bytes[offset])
                offset += 1
                do throws(WebSocketProtocolError) {
                    if headerBytes.count == 2 { try checkFirstBytes() }
                    if headerBytes.count == headerLength {
                        let header = try finishHeader()
                        headerBytes.removeAll(keepingCapacity: true)
                        headerLength = 2
                        state = header.length == 0 ? .end(header) : .payload(header, remaining: header.length)
                        return .start(header)
                    }
                } catch {
                    failure = error
                    throw error
                }
            }
            return nil
        }
    }

    /// The rules the first two bytes settle: flags, opcode, mask bit, a control frame's size, the order of
    /// fragments, and a 7-bit length against the cap.
    private mutating func checkFirstBytes() throws(WebSocketProtocolError) {
        let first = headerBytes[0], second = headerBytes[1]
        guard first & 0x70 == 0 else {
            throw .protocolError("a frame with RSV bits 0x\(String(first & 0x70, radix: 16)) set, but no extension was negotiated")
        }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            throw .protocolError("unknown opcode 0x\(String(first & 0x0F, radix: 16))")
        }
        guard second & 0x80 == 0 else { throw .protocolError("the server sent a masked \(opcode) frame (servers must not mask)") }
        let fin = first & 0x80 != 0
        let shortLength = Int(second & 0x7F)
        if opcode.isControl {
            guard fin else { throw .protocolError("a fragmented \(opcode) frame (control frames cannot be fragmented)") }
            guard shortLength <= 125 else { throw .protocolError("a \(opcode) frame longer than 125 bytes") }
        } else if opcode == .continuation {
            guard messageUnfinished else { throw .protocolError("a continuation frame with no message begun") }
        } else {
            guard !messageUnfinished else {
                throw .protocolError("a new \(opcode) message began before the fragmented message ended")
            }
        }
        headerLength = shortLength == 126 ? 4 : shortLength == 127 ? 10 : 2
    }

    /// The full header: the extended length, its checks, and the message's running size.
    private mutating func finishHeader() throws(WebSocketProtocolError) -> WebSocketFrameHeader {
        let first = headerBytes[0]
        let opcode = WebSocketOpcode(rawValue: first & 0x0F)!  // checked in checkFirstBytes
        let fin = first & 0x80 != 0
        var length = UInt64(headerBytes[1] & 0x7F)
        if headerLength == 4 {
            length = UInt64(headerBytes[2]) << 8 | UInt64(headerBytes[3])
        } else if headerLength == 10 {
            length = headerBytes[2..<10].reduce(0) { $0 << 8 | UInt64($1) }
            guard length >> 63 == 0 else { throw .protocolError("a 64-bit frame length with its most significant bit set") }
        }
        if !opcode.isControl {
            let before = opcode == .continuation ? UInt64(messageBytes) : 0
            guard before + length <= UInt64(maximumMessageBytes) else {
                throw .tooBig("a message of \(before + length) bytes or more exceeds the limit of \(maximumMessageBytes) bytes")
            }
            messageBytes = Int(before + length)
            messageUnfinished = !fin
        }
        return WebSocketFrameHeader(fin: fin, opcode: opcode, length: Int(length))
    }
}
