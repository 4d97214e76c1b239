import Foundation

/// What arrived on a WebSocket connection, in order: whole messages and control frames.
package enum WebSocketEvent: Sendable, Equatable {
    /// A whole text or binary message, its fragments joined.
    case message(WebSocketMessage)
    /// A ping: answer with a pong carrying the same payload.
    case ping(Data)
    /// A pong (the answer to a ping, or a heartbeat).
    case pong(Data)
    /// The peer's close frame; nothing after it is read.
    case close(WebSocketCloseFrame)
}

/// Turns a server's bytes, fed in chunks of any size, into `WebSocketEvent`s: joins fragments into one
/// message (control frames may come between them), checks text is UTF-8 as it arrives (even when a code
/// point is split across fragments or chunks), and reads close frames.
///
/// Memory: one message's payload (at most `maximumMessageBytes`; see `WebSocketMessageBuffer`) and a control
/// frame (at most 125 bytes).
/// Refusals are `WebSocketProtocolError`s carrying the close code to send (see `WebSocketFrameParser` for
/// the framing rules; here: 1007 for text that is not UTF-8, 1002/1007 for a malformed close payload).
/// After an error, or after a close frame, the assembler reads nothing more.
package struct WebSocketMessageAssembler: Sendable {
    private var parser: WebSocketFrameParser
    /// The current frame.
    private var frame: WebSocketFrameHeader?
    /// The data message being assembled: its type (text or binary) and its bytes so far.
    private var messageOpcode: WebSocketOpcode?
    private var message = WebSocketMessageBuffer()
    private var utf8 = UTF8StreamValidator()
    /// The current control frame's payload (at most 125 bytes).
    private var control: [UInt8] = []
    private var failure: WebSocketProtocolError?

    /// Whether a close frame was read; later bytes are ignored.
    package private(set) var receivedClose = false

    /// An assembler refusing messages over `maximumMessageBytes` (default 16 MiB).
    package init(maximumMessageBytes: Int = WebSocketFrameParser.defaultMaximumMessageBytes) {
        parser = WebSocketFrameParser(maximumMessageBytes: maximumMessageBytes)
        control.reserveCapacity(125)
    }

    /// The largest message accepted, in bytes.
    package var maximumMessageBytes: Int { parser.maximumMessageBytes }

    /// The next event from `bytes`, starting at `offset` and advancing it; nil once `bytes` are used up
    /// (feed the next chunk) or a close frame was read. Throws at the first violation.
    package mutating func next(in bytes: UnsafeRawBufferPointer, at offset: inout Int) throws(WebSocketProtocolError) -> WebSocketEvent? {
        if let failure { throw failure }
        guard !receivedClose else { return nil }
        do throws(WebSocketProtocolError) {
            while let event = try parser.next(in: bytes, at: &offset) {
                if let complete = try handle(event) { return complete }
            }
            return nil
        } catch {
            failure = error
            message = WebSocketMessageBuffer()
            throw error
        }
    }

    /// Every event in `bytes` (tests and the fuzzer; the connection uses `next(in:at:)`).
    package mutating func events(in bytes: some Collection<UInt8>) throws(WebSocketProtocolError) -> [WebSocketEvent] {
        var result: Result<[WebSocketEvent], WebSocketProtocolError> = .success([])
        Array(bytes).withUnsafeBytes { buffer in
            var offset = 0
            var events: [WebSocketEvent] = []
            do throws(WebSocketProtocolError) {
                while let event = try next(in: buffer, at: &offset) { events.append(event) }
                result = .success(events)
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    private mutating func handle(_ event: WebSocketFrameParser.Event) throws(WebSocketProtocolError) -> WebSocketEvent? {
        switch event {
        case .start(let header):
            frame = header
            if header.opcode.isControl {
                control.removeAll(keepingCapacity: true)
            } else if header.opcode != .continuation {
                messageOpcode = header.opcode
                message.start(length: header.length, fragmented: !header.fin)
                utf8 = UTF8StreamValidator()
            }
            return nil
        case .payload(let bytes):
            guard let frame else { return nil }
            if frame.opcode.isControl {
                control.append(contentsOf: bytes)
            } else {
                if messageOpcode == .text, !utf8.consume(bytes) {
                    throw .invalidData("a text message that is not valid UTF-8")
                }
                message.append(bytes)
            }
            return nil
        case .end(let header):
            frame = nil
            switch header.opcode {
            case .ping: return .ping(Data(control))
            case .pong: return .pong(Data(control))
            case .close:
                let close = try WebSocketCloseFrame.parse(control)
                receivedClose = true
                return .close(close)
            case .text, .binary, .continuation:
                guard header.fin, let opcode = messageOpcode else { return nil }
                messageOpcode = nil
                if opcode == .binary { return .message(.binary(message.takeData())) }
                guard utf8.isAtBoundary else { throw .invalidData("a text message that ends inside a UTF-8 sequence") }
                return .message(.text(message.takeText()))
            }
        }
    }
}
