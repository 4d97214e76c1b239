@testable import FalCore
import Foundation
import Testing

/// The reader is total: bytes from a hostile or broken peer end in a `MessagePackError` with the byte
/// offset, never in a trap, a huge allocation or a stack overflow.
@Suite struct MessagePackHostileInputTests {
    static let hex = MessagePackFormatTests.hex

    static func error(_ data: Data, maxDepth: Int = MessagePackReader.defaultMaxDepth) -> MessagePackError? {
        do {
            _ = try MessagePackReader(maxDepth: maxDepth).read(data)
            return nil
        } catch {
            return error
        }
    }

    /// A sample with every kind of value, nested.
    static let sample: MessagePackValue = [
        "ints": [0, 127, 128, -33, .int(.min), .uint(.max), 65536], "floats": [.float(1.5), .double(-0.0)],
        "text": "héllo 😀", "long": .string(String(repeating: "x", count: 300)), "bin": .binary(Data(repeating: 7, count: 40)),
        "ext": .extension(type: -1, data: Data([0, 0, 0, 1])), "fixext16": .extension(type: 3, data: Data(count: 16)),
        "nested": [[nil: [true, false]], [:]], 42: nil,
    ]

    @Test func everyTruncationIsAnError() throws {
        let bytes = Self.sample.encoded()
        #expect(try MessagePackReader().read(bytes) == Self.sample)
        for length in 0..<bytes.count {
            let error = Self.error(bytes.prefix(length))
            switch error {
            case .truncated(let offset)?, .lengthExceedsInput(let offset, _, _)?:
                #expect(offset <= length, "cut at \(length): \(error!)")
            default:
                Issue.record("cut at \(length) of \(bytes.count): \(String(describing: error))")
            }
        }
    }

    @Test func everyFormatCutShortIsTruncated() {
        for header in ["cc", "cd 00", "ce 0000", "cf 00000000000000", "d0", "d1 00", "d2 0000", "d3 00", "ca 0000", "cb 000000",
                       "d9", "da 00", "db 000000", "c4", "c5 00", "c6 000000", "c7", "c7 01", "c8 0001", "c9 00000001",
                       "d4", "d4 01", "d5 01 00", "d6 01", "d7 01", "d8 01", "dc 00", "dd 0000", "de 00", "df 000000", ""] {
            let error = Self.error(Self.hex(header))
            switch error {
            case .truncated(0)?, .lengthExceedsInput(0, _, _)?: break
            default: Issue.record("\(header): \(String(describing: error))")
            }
        }
        #expect(Self.error(Self.hex("92 01")) == .lengthExceedsInput(offset: 0, declared: 2, remaining: 1))
        #expect(Self.error(Self.hex("93 01 02 cc")) == .truncated(offset: 3))
        #expect(Self.error(Self.hex("81 a1 61")) == .truncated(offset: 3))
        #expect(Self.error(Self.hex("81 a1 61"))?.description == "MessagePack input is truncated: the value at byte 3 runs past the end of the input")
    }

    @Test func reservedByteIsRefused() {
        #expect(Self.error(Self.hex("c1")) == .reservedByte(offset: 0))
        #expect(Self.error(Self.hex("93 01 02 c1")) == .reservedByte(offset: 3))
        #expect(Self.error(Self.hex("c1"))?.description == "MessagePack format byte 0xc1 at byte 0 is reserved and never used")
    }

    @Test func invalidUTF8IsRefused() {
        for payload in ["ff", "c0 80", "ed a0 80", "f4 90 80 80", "e2 82", "80", "f0 9f 98"] {
            let bytes = Data([0xa0 | UInt8(Self.hex(payload).count)]) + Self.hex(payload)
            #expect(Self.error(bytes) == .invalidUTF8(offset: 0), "\(payload)")
        }
        #expect(Self.error(Self.hex("91 a2 61 ff")) == .invalidUTF8(offset: 1))
        // Map keys too.
        #expect(Self.error(Self.hex("81 a1 ff 01")) == .invalidUTF8(offset: 1))
    }

    @Test func trailingBytesAreRefusedForOneWholeValue() {
        #expect(Self.error(Self.hex("01 02")) == .trailingBytes(offset: 1, count: 1))
        #expect(Self.error(Self.hex("90 00 00 00")) == .trailingBytes(offset: 1, count: 3))
        #expect(Self.error(Self.hex("01 02"))?.description == "MessagePack value ends at byte 1 but 1 more byte follows")
    }

    /// Declared lengths far beyond the input fail at once, before any allocation the length would ask for
    /// (the whole test takes milliseconds; 4 billion elements would take gigabytes).
    @Test func hugeDeclaredLengthsFailBeforeAllocating() {
        let start = ContinuousClock.now
        let cases: [(String, UInt64)] = [
            ("dd ffffffff", 0xffff_ffff), ("df ffffffff", 0xffff_ffff), ("db ffffffff", 0xffff_ffff),
            ("c6 ffffffff", 0xffff_ffff), ("c9 ffffffff 01", 0xffff_ffff), ("dc ffff", 0xffff), ("de ffff", 0xffff),
            ("da ffff", 0xffff), ("c5 ffff", 0xffff), ("c8 ffff 01", 0xffff), ("d9 ff", 0xff), ("c4 ff", 0xff), ("c7 ff 01", 0xff),
            ("9f", 15), ("8f", 15), ("bf", 31), ("d8 01", 16),
        ]
        for (header, declared) in cases {
            let bytes = Self.hex(header) + Data(repeating: 0, count: 3)
            let error = Self.error(bytes)
            guard case .lengthExceedsInput(0, declared, _)? = error else {
                Issue.record("\(header): \(String(describing: error))")
                continue
            }
        }
        // Nested: an array of many arrays each claiming 4 billion elements fails at the first.
        let nested = Data([0xdc, 0x01, 0x00]) + Data((0..<256).flatMap { _ in [0xdd, 0xff, 0xff, 0xff, 0xff] as [UInt8] })
        #expect(Self.error(nested) == .lengthExceedsInput(offset: 3, declared: 0xffff_ffff, remaining: 1275))
        // A map needs two bytes per entry: 3 entries in 5 bytes is refused up front.
        #expect(Self.error(Self.hex("83 01 01 01 01 01")) == .lengthExceedsInput(offset: 0, declared: 3, remaining: 5))
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(Self.error(Self.hex("dd ffffffff"))?.description == "MessagePack value at byte 0 declares a length of 4294967295 but only 0 bytes remain")
    }

    @Test func deepNestingThrowsInsteadOfOverflowingTheStack() {
        for opener: UInt8 in [0x91, 0x81] {
            // 100,000 levels: arrays of one array, maps whose key is a map.
            let deep = Data(repeating: opener, count: 100_000) + Data([0xc0])
            #expect(Self.error(deep) == .tooDeep(offset: 512, limit: 512))
        }
        let mixed = Data((0..<50_000).flatMap { _ in [0x81, 0xc0, 0x91] as [UInt8] })
        guard case .tooDeep(_, 512)? = Self.error(mixed) else { Issue.record("mixed nesting: \(String(describing: Self.error(mixed)))"); return }
    }

    @Test func depthLimitIsExact() throws {
        let nested = { (depth: Int) in Data(repeating: 0x91, count: depth) + Data([0x01]) }
        #expect(try MessagePackReader().read(nested(512)) != .nil)
        #expect(Self.error(nested(513)) == .tooDeep(offset: 512, limit: 512))
        #expect(Self.error(nested(3), maxDepth: 2) == .tooDeep(offset: 2, limit: 2))
        #expect(try MessagePackReader(maxDepth: 3).read(nested(3)) == [[[1]]])
        #expect(Self.error(nested(1), maxDepth: 0) == .tooDeep(offset: 0, limit: 0))
        #expect(try MessagePackReader(maxDepth: 0).read(Data([0x05])) == 5)
    }

    @Test func everyByteAfterAValidHeaderIsHandled() {
        // Each format byte followed by each byte value and a short tail: no trap, any outcome.
        for format in 0...255 {
            for next in stride(from: 0, through: 255, by: 17) {
                for tail in [Data(), Data([0x01]), Data(repeating: 0xff, count: 9)] {
                    _ = Self.error(Data([UInt8(format), UInt8(next)]) + tail)
                }
            }
        }
    }

    @Test func errorsCarryTheirOffset() {
        let errors: [MessagePackError] = [
            .truncated(offset: 1), .reservedByte(offset: 2), .invalidUTF8(offset: 3), .trailingBytes(offset: 4, count: 1),
            .tooDeep(offset: 5, limit: 1), .lengthExceedsInput(offset: 6, declared: 9, remaining: 1),
        ]
        #expect(errors.map(\.offset) == [1, 2, 3, 4, 5, 6])
        #expect(errors.allSatisfy { $0.description.contains("at byte \($0.offset)") || $0.description.contains("ends at byte \($0.offset)") })
    }
}
