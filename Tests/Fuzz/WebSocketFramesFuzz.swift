// libFuzzer target: FalCore's WebSocket reading (`WebSocketMessageAssembler` over `WebSocketFrameParser`,
// `UTF8StreamValidator`, `WebSocketCloseFrame.parse`, `WebSocketHandshakeReader`): every byte a server sends
// the realtime client. Built by scripts/fuzz.sh.
// Beyond "never traps", it checks that nothing depends on how the bytes were split: the first input byte
// picks a chunk size, the second the message cap, and the events (and the error, if any) must equal those of
// the same bytes fed in one piece. Also: no message over the cap, nothing after a close, the UTF-8 validator
// agrees with the standard library, the message buffer joins pieces back, and a masked frame unmasks back
// to its payload.
@testable import FalCore
import Foundation

/// Every event until the bytes run out or an error; fed in chunks of `chunkSize`.
private func read(_ stream: [UInt8], chunkSize: Int, cap: Int) -> (events: [WebSocketEvent], error: WebSocketProtocolError?) {
    var assembler = WebSocketMessageAssembler(maximumMessageBytes: cap)
    var events: [WebSocketEvent] = []
    var start = 0
    while start < stream.count {
        let end = min(start + chunkSize, stream.count)
        let failure: WebSocketProtocolError? = stream[start..<end].withUnsafeBytes { chunk in
            var offset = 0
            do throws(WebSocketProtocolError) {
                while let event = try assembler.next(in: chunk, at: &offset) { events.append(event) }
                if offset != chunk.count && !assembler.receivedClose { fatalError("bytes left unread at \(offset) of \(chunk.count)") }
                return nil
            } catch {
                return error
            }
        }
        if let failure { return (events, failure) }
        start = end
    }
    return (events, nil)
}

private func handshake(_ stream: [UInt8], chunkSize: Int) -> String {
    var reader = WebSocketHandshakeReader(limit: 512)
    var start = 0
    while start < stream.count {
        let end = min(start + chunkSize, stream.count)
        let result: String? = stream[start..<end].withUnsafeBytes { chunk in
            var offset = 0
            do throws(WebSocketError) {
                guard let head = try reader.next(in: chunk, at: &offset) else { return nil }
                return "head \(head.status) \(head.headers.count) rest \(stream.count - start - offset)"
            } catch {
                return "error \(error)"
            }
        }
        if let result { return result }
        start = end
    }
    return "incomplete"
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocketFrames(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 1 else { return 0 }
    let chunkSize = Int(bytes[0] % 16) + 1
    let cap = Int(bytes[1] % 8) * 100  // 0-700: small, so the 1009 refusals are reached
    let stream = Array(UnsafeBufferPointer(start: bytes + 2, count: count - 2))

    let whole = read(stream, chunkSize: max(stream.count, 1), cap: cap)
    let split = read(stream, chunkSize: chunkSize, cap: cap)
    if whole.events != split.events || whole.error != split.error {
        fatalError("events depend on chunking (\(chunkSize)): \(split) vs \(whole)")
    }
    for (index, event) in whole.events.enumerated() {
        switch event {
        case .message(let message) where message.byteCount > cap:
            fatalError("a message of \(message.byteCount) bytes passed the cap of \(cap)")
        case .close where index != whole.events.count - 1:
            fatalError("events after a close frame")
        case .ping(let payload) where payload.count > 125, .pong(let payload) where payload.count > 125:
            fatalError("a control frame over 125 bytes")
        default:
            break
        }
    }

    // UTF-8: the streaming validator, split at the chunk size, agrees with the standard library.
    var validator = UTF8StreamValidator()
    var valid = true
    var start = 0
    while start < stream.count && valid {
        let end = min(start + chunkSize, stream.count)
        valid = validator.consume(stream[start..<end])
        start = end
    }
    valid = valid && validator.isAtBoundary
    if valid != (String(validating: stream, as: UTF8.self) != nil) { fatalError("UTF-8 validation disagrees on \(stream)") }

    // Close payloads: a parse never traps, and what parses re-encodes to the same bytes (reasons fit).
    if stream.count <= 125, let close = try? WebSocketCloseFrame.parse(stream), close.payload != stream {
        fatalError("close payload \(stream) re-encodes as \(close.payload)")
    }

    // The handshake reader: same answer whatever the chunking.
    if handshake(stream, chunkSize: chunkSize) != handshake(stream, chunkSize: max(stream.count, 1)) {
        fatalError("the handshake reader depends on chunking")
    }

    // The message buffer: pieces of sizes the input picks (crossing its 4 KiB... 1 MiB chunk boundaries) join
    // back to the same bytes, as data and as text.
    var buffer = WebSocketMessageBuffer()
    buffer.start(length: 0, fragmented: true)
    var joined: [UInt8] = []
    for (index, byte) in stream.prefix(24).enumerated() {
        let piece = [UInt8](repeating: UInt8(ascii: "a") + UInt8(index % 26), count: Int(byte) * 17 + 1)
        piece.withUnsafeBytes { buffer.append($0) }
        joined += piece
    }
    var copy = buffer
    if buffer.takeData() != Data(joined) || copy.takeText() != String(decoding: joined, as: UTF8.self) {
        fatalError("the message buffer does not join its pieces back")
    }

    // Masking is its own inverse, and the encoder writes the payload masked with the key it states.
    let frame = [UInt8](WebSocketFrameEncoder.frame(.binary, payload: stream, maskingKey: 0xA1B2_C3D4))
    let headerCount = frame.count - stream.count
    var payload = Array(frame[headerCount...])
    payload.withUnsafeMutableBytes { WebSocketFrameEncoder.mask($0, key: Array(frame[(headerCount - 4)..<headerCount])) }
    if payload != stream { fatalError("masking does not round-trip") }
    return 0
}
