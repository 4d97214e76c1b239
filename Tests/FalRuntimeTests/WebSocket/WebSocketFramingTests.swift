import Foundation
import Testing
@testable import FalRuntime

/// A frame as a server writes it (unmasked unless `mask` is given); `length` forces a length form
/// (7, 16 or 64 bits) and `declared` a length other than the payload's.
func serverFrame(
    _ opcode: UInt8, _ payload: [UInt8] = [], fin: Bool = true, rsv: UInt8 = 0, mask: [UInt8]? = nil,
    lengthForm: Int? = nil, declared: UInt64? = nil
) -> [UInt8] {
    let length = declared ?? UInt64(payload.count)
    var bytes: [UInt8] = [(fin ? 0x80 : 0) | rsv | opcode]
    let maskBit: UInt8 = mask == nil ? 0 : 0x80
    let form = lengthForm ?? (length <= 125 ? 7 : length <= 0xFFFF ? 16 : 64)
    switch form {
    case 7: bytes.append(maskBit | UInt8(length))
    case 16: bytes += [maskBit | 126, UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
    default: bytes.append(maskBit | 127); bytes += (0..<8).map { UInt8(length >> (56 - 8 * UInt64($0)) & 0xFF) }
    }
    if let mask {
        bytes += mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    } else {
        bytes += payload
    }
    return bytes
}

func closePayload(_ code: UInt16, _ reason: String = "") -> [UInt8] { [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8) }

/// Feeds `bytes` in the given chunks; the events, or the error that stopped them.
func assemble(_ chunks: [[UInt8]], maximumMessageBytes: Int = 1 << 20) -> (events: [WebSocketEvent], error: WebSocketProtocolError?) {
    var assembler = WebSocketMessageAssembler(maximumMessageBytes: maximumMessageBytes)
    var events: [WebSocketEvent] = []
    for chunk in chunks {
        do { events += try assembler.events(in: chunk) } catch { return (events, error) }
    }
    return (events, nil)
}

@Suite("WebSocket framing")
struct WebSocketFramingTests {
    /// A stream with every kind of frame: a text message fragmented inside a code point with a ping between
    /// its fragments, 16-bit and 7-bit lengths, empty messages, a pong, and a close.
    static let text = Array("héllo wörld 😀".utf8)
    static let stream: [UInt8] =
        serverFrame(0x1, Array(text[0..<2]), fin: false)  // "h" and the first byte of "é"
        + serverFrame(0x9, Array("ping!".utf8))
        + serverFrame(0x0, Array(text[2..<17]), fin: false)  // splits the emoji too
        + serverFrame(0x0, Array(text[17...]))
        + serverFrame(0x2, (0..<300).map { UInt8($0 & 0xFF) })
        + serverFrame(0x1, [])
        + serverFrame(0x2, [], fin: false) + serverFrame(0x0, [])
        + serverFrame(0xA, [1, 2, 3])
        + serverFrame(0x2, [7], lengthForm: 16)  // a longer form than needed is accepted
        + serverFrame(0x8, closePayload(1000, "bye"))
        + serverFrame(0x1, Array("after close: ignored".utf8))

    static let expected: [WebSocketEvent] = [
        .ping(Data("ping!".utf8)),
        .message(.text("héllo wörld 😀")),
        .message(.binary(Data((0..<300).map { UInt8($0 & 0xFF) }))),
        .message(.text("")),
        .message(.binary(Data())),
        .pong(Data([1, 2, 3])),
        .message(.binary(Data([7]))),
        .close(WebSocketCloseFrame(code: 1000, reason: "bye")),
    ]

    @Test("a stream of every frame kind reads the same in one piece, split at every byte, and byte by byte")
    func splitAtEveryByte() {
        let whole = assemble([Self.stream])
        #expect(whole.error == nil)
        #expect(whole.events == Self.expected)
        for cut in 0...Self.stream.count {
            let split = assemble([Array(Self.stream[..<cut]), Array(Self.stream[cut...])])
            #expect(split.events == Self.expected && split.error == nil, "split at \(cut)")
        }
        #expect(assemble(Self.stream.map { [$0] }).events == Self.expected)
        var random = SeededRandom(seed: 6455)
        for _ in 0..<200 {
            var chunks: [[UInt8]] = [], offset = 0
            while offset < Self.stream.count {
                let size = Int(random.next() % 40) + 1
                chunks.append(Array(Self.stream[offset..<min(offset + size, Self.stream.count)]))
                offset += size
            }
            #expect(assemble(chunks).events == Self.expected)
        }
    }

    @Test("a 64-bit length reads the same split anywhere in its header and across its payload")
    func sixtyFourBitLength() {
        let payload = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let frame = serverFrame(0x2, payload)
        #expect(frame[1] == 127)
        let expected: [WebSocketEvent] = [.message(.binary(Data(payload)))]
        for cut in Array(0...12) + [100, 65_536, frame.count - 1, frame.count] {
            #expect(assemble([Array(frame[..<cut]), Array(frame[cut...])]).events == expected, "split at \(cut)")
        }
    }

    /// Each refusal: the bytes, the close code, and a phrase of the message.
    static let refusals: [(name: String, bytes: [UInt8], code: UInt16, phrase: String)] = [
        ("masked server frame", serverFrame(0x1, Array("hi".utf8), mask: [1, 2, 3, 4]), 1002, "masked"),
        ("RSV1", serverFrame(0x1, [], rsv: 0x40), 1002, "RSV"),
        ("RSV2", serverFrame(0x2, [], rsv: 0x20), 1002, "RSV"),
        ("RSV3", serverFrame(0x2, [], rsv: 0x10), 1002, "RSV"),
        ("opcode 0x3", serverFrame(0x3), 1002, "unknown opcode 0x3"),
        ("opcode 0xB", serverFrame(0xB), 1002, "unknown opcode 0xb"),
        ("ping over 125 bytes", serverFrame(0x9, Array(repeating: 0, count: 126)), 1002, "longer than 125"),
        ("close over 125 bytes (16-bit form)", serverFrame(0x8, [3, 232], lengthForm: 16), 1002, "longer than 125"),
        ("fragmented ping", serverFrame(0x9, [], fin: false), 1002, "fragmented ping"),
        ("continuation with no message", serverFrame(0x0, [1]), 1002, "no message begun"),
        ("text inside a fragmented message", serverFrame(0x2, [1], fin: false) + serverFrame(0x1, [2]), 1002, "began before"),
        ("64-bit length with the top bit", serverFrame(0x2, lengthForm: 64, declared: 1 << 63), 1002, "most significant bit"),
        ("invalid UTF-8", serverFrame(0x1, Array("ok ".utf8) + [0xFF]), 1007, "not valid UTF-8"),
        ("overlong UTF-8", serverFrame(0x1, [0xC0, 0xAF]), 1007, "not valid UTF-8"),
        ("UTF-16 surrogate", serverFrame(0x1, [0xED, 0xA0, 0x80]), 1007, "not valid UTF-8"),
        ("text ending inside a code point", serverFrame(0x1, [0x61, 0xE2, 0x82]), 1007, "ends inside"),
        ("fragmented text ending inside a code point", serverFrame(0x1, [0xF0, 0x9F], fin: false) + serverFrame(0x0, [0x98]), 1007, "ends inside"),
        ("1-byte close payload", serverFrame(0x8, [3]), 1002, "1 byte"),
        ("close code 1005", serverFrame(0x8, closePayload(1005)), 1002, "1005"),
        ("close code 1006", serverFrame(0x8, closePayload(1006)), 1002, "1006"),
        ("close code 1015", serverFrame(0x8, closePayload(1015)), 1002, "1015"),
        ("close code 1004", serverFrame(0x8, closePayload(1004)), 1002, "1004"),
        ("close code 999", serverFrame(0x8, closePayload(999)), 1002, "999"),
        ("close code 2999", serverFrame(0x8, closePayload(2999)), 1002, "2999"),
        ("close code 5000", serverFrame(0x8, closePayload(5000)), 1002, "5000"),
        ("close reason not UTF-8", serverFrame(0x8, closePayload(1000) + [0xC3]), 1007, "reason"),
    ]

    @Test("every refusal carries its close code and says what was wrong", arguments: 0..<refusals.count)
    func refusal(_ index: Int) {
        let refusal = Self.refusals[index]
        let result = assemble([refusal.bytes])
        #expect(result.error?.closeCode == refusal.code, "\(refusal.name): \(String(describing: result.error))")
        #expect(result.error?.message.contains(refusal.phrase) == true, "\(refusal.name): \(String(describing: result.error))")
        // Byte by byte too: the refusal does not depend on the chunking.
        #expect(assemble(refusal.bytes.map { [$0] }).error == result.error, "\(refusal.name)")
    }

    @Test("a message over the cap is refused from its header alone, before any payload is buffered")
    func capRefusedFromTheHeader() {
        // Only the 10 header bytes of a frame declaring 100 MiB: refused with 1009 at once.
        let header = serverFrame(0x2, lengthForm: 64, declared: 100 << 20)
        let result = assemble([header], maximumMessageBytes: 16 << 20)
        #expect(result.error?.closeCode == 1009)
        #expect(result.error?.message.contains("exceeds the limit of 16777216 bytes") == true)
        // Exactly the cap is fine; one more is not.
        #expect(assemble([serverFrame(0x2, Array(repeating: 1, count: 100))], maximumMessageBytes: 100).error == nil)
        #expect(assemble([serverFrame(0x2, lengthForm: 16, declared: 101)], maximumMessageBytes: 100).error?.closeCode == 1009)
        // Control frames do not count against the cap.
        #expect(assemble([serverFrame(0x9, Array(repeating: 1, count: 125))], maximumMessageBytes: 0).error == nil)
    }

    @Test("a fragmented message is refused at the fragment header that takes it over the cap")
    func fragmentedCap() {
        let first = serverFrame(0x1, Array(repeating: 0x61, count: 60), fin: false)
        let second = serverFrame(0x0, lengthForm: 7, declared: 41)  // header only: 60 + 41 > 100
        let result = assemble([first, second], maximumMessageBytes: 100)
        #expect(result.error?.closeCode == 1009)
        #expect(result.error?.message.contains("101 bytes") == true)
        // 60 + 40 = 100 passes, and the next message starts from zero.
        let fits = first + serverFrame(0x0, Array(repeating: 0x62, count: 40)) + serverFrame(0x2, Array(repeating: 0, count: 100))
        #expect(assemble([fits], maximumMessageBytes: 100).events.count == 2)
    }

    @Test("after a refusal, the assembler refuses everything with the same error")
    func refusalIsSticky() throws {
        var assembler = WebSocketMessageAssembler()
        #expect(throws: WebSocketProtocolError.self) { try assembler.events(in: serverFrame(0x3)) }
        let again = Result { try assembler.events(in: serverFrame(0x1, Array("fine".utf8))) }
        #expect(throws: WebSocketProtocolError.self) { try again.get() }
    }

    @Test("a close frame with no payload reads as 1005; codes 1000-1003, 1007-1014 and 3000-4999 are valid")
    func closeCodes() throws {
        #expect(try WebSocketCloseFrame.parse([UInt8]()) == WebSocketCloseFrame(code: 1005))
        for code: UInt16 in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999] {
            #expect(try WebSocketCloseFrame.parse(closePayload(code, "r")) == WebSocketCloseFrame(code: code, reason: "r"))
        }
        // Sending: the reason is cut at a character boundary to fit 125 bytes.
        let long = WebSocketCloseFrame(code: 4000, reason: String(repeating: "é", count: 100))
        #expect(long.payload.count == 124)
        #expect(try WebSocketCloseFrame.parse(long.payload).reason == String(repeating: "é", count: 61))
        #expect(WebSocketCloseFrame(code: 1005).payload.isEmpty)
    }
}

@Suite("WebSocket UTF-8 validation")
struct UTF8StreamValidatorTests {
    static let samples: [[UInt8]] = [
        Array("plain ASCII that is longer than eight bytes".utf8), Array("é€😀 mixed ünïcödé".utf8),
        [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
        [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0x80], [0xE2, 0x82], [0x61, 0xF0, 0x9F, 0x98],
        [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64],
    ]

    static func validate(_ chunks: [ArraySlice<UInt8>]) -> Bool {
        var validator = UTF8StreamValidator()
        for chunk in chunks where !validator.consume(Array(chunk)) { return false }
        return validator.isAtBoundary
    }

    @Test("agrees with String(validating:) on valid and invalid sequences, split at every byte")
    func agreesWithTheStandardLibrary() {
        var random = SeededRandom(seed: 3629)
        var inputs = Self.samples
        for _ in 0..<2000 {
            let count = Int(random.next() % 12)
            inputs.append((0..<count).map { _ in
                // Mostly bytes around the interesting leads, so many inputs are valid.
                let pool: [UInt8] = [0x41, 0x7F, 0x80, 0xBF, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0x90, 0xA0, 0x9F, 0x8F, 0xF5, 0xC0]
                return pool[Int(random.next() % UInt64(pool.count))]
            })
        }
        for input in inputs {
            let expected = String(validating: input, as: UTF8.self) != nil
            #expect(Self.validate([input[...]]) == expected, "\(input)")
            for cut in 0...input.count {
                #expect(Self.validate([input[..<cut], input[cut...]]) == expected, "\(input) split at \(cut)")
            }
        }
    }
}

@Suite("WebSocket frame encoding")
struct WebSocketFrameEncoderTests {
    /// Reads a client frame back: fin, opcode, mask key, unmasked payload.
    static func decode(_ frame: Data) -> (fin: Bool, opcode: UInt8, key: [UInt8], payload: [UInt8]) {
        let bytes = [UInt8](frame)
        #expect(bytes[1] & 0x80 != 0, "client frames are masked")
        var length = Int(bytes[1] & 0x7F), offset = 2
        if length == 126 { length = Int(bytes[2]) << 8 | Int(bytes[3]); offset = 4 }
        else if length == 127 { length = bytes[2..<10].reduce(0) { $0 << 8 | Int($1) }; offset = 10 }
        let key = Array(bytes[offset..<offset + 4])
        let payload = bytes[(offset + 4)...].enumerated().map { $0.element ^ key[$0.offset % 4] }
        #expect(payload.count == length)
        return (bytes[0] & 0x80 != 0, bytes[0] & 0x0F, key, payload)
    }

    @Test("frames are masked, with the shortest length form, for every payload size boundary")
    func lengthsAndMasking() {
        for size in [0, 1, 7, 8, 9, 125, 126, 127, 65_535, 65_536, 70_001] {
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            let frame = WebSocketFrameEncoder.frame(.binary, payload: payload)
            let headerSize = (size <= 125 ? 2 : size <= 65_535 ? 4 : 10) + 4
            #expect(frame.count == headerSize + size, "size \(size)")
            let decoded = Self.decode(frame)
            #expect(decoded.fin && decoded.opcode == 2 && decoded.payload == payload, "size \(size)")
        }
        let fragment = Self.decode(WebSocketFrameEncoder.frame(.text, payload: Array("a".utf8), fin: false))
        #expect(!fragment.fin && fragment.opcode == 1)
        let fixed = WebSocketFrameEncoder.frame(.ping, payload: [0, 0, 0, 0], maskingKey: 0x0102_0304)
        #expect([UInt8](fixed) == [0x89, 0x84, 1, 2, 3, 4, 1, 2, 3, 4])
    }

    @Test("every frame gets a fresh random masking key")
    func randomKeys() {
        let keys = Set((0..<64).map { _ in Self.decode(WebSocketFrameEncoder.frame(.text, payload: [UInt8]())).key })
        #expect(keys.count > 60)
    }

    @Test("messages and close frames encode as text, binary and close")
    func messages() {
        let text = Self.decode(WebSocketFrameEncoder.frame(.text("héllo")))
        #expect(text.opcode == 1 && text.payload == Array("héllo".utf8))
        let binary = Self.decode(WebSocketFrameEncoder.frame(.binary(Data([9, 8]))))
        #expect(binary.opcode == 2 && binary.payload == [9, 8])
        let close = Self.decode(WebSocketFrameEncoder.closeFrame(WebSocketCloseFrame(code: 4001, reason: "x")))
        #expect(close.opcode == 8 && close.payload == [0x0F, 0xA1, 0x78])
    }
}

@Suite("WebSocket message buffer")
struct WebSocketMessageBufferTests {
    @Test("fragments of any sizes join into the same bytes and text, across chunk boundaries")
    func joins() {
        var random = SeededRandom(seed: 1009)
        for round in 0..<40 {
            let text = String(repeating: "ab€😀", count: Int(random.next() % 60_000))
            let bytes = Array(text.utf8)
            var pieces: [ArraySlice<UInt8>] = [], offset = 0
            while offset < bytes.count {
                let size = round % 2 == 0 ? Int(random.next() % 5000) + 1 : Int(random.next() % 300_000) + 1
                pieces.append(bytes[offset..<min(offset + size, bytes.count)])
                offset += size
            }
            for asText in [false, true] {
                var buffer = WebSocketMessageBuffer()
                buffer.start(length: pieces.first?.count ?? 0, fragmented: pieces.count > 1)
                for piece in pieces { Array(piece).withUnsafeBytes { buffer.append($0) } }
                #expect(buffer.count == bytes.count)
                if asText {
                    #expect(buffer.takeText() == text, "round \(round)")
                } else {
                    #expect(buffer.takeData() == Data(bytes), "round \(round)")
                }
                #expect(buffer.count == 0)
            }
        }
    }
}
