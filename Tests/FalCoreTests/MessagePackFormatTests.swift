@testable import FalCore
import Foundation
import Testing

/// Every MessagePack format byte, written in its smallest form and read back, with each length and range
/// boundary on both sides (the encodings are the ones Python's `msgpack.packb(…, use_bin_type=True)` gives).
@Suite struct MessagePackFormatTests {
    static func hex(_ text: String) -> Data {
        let digits = Array(text.utf8).filter { $0 != UInt8(ascii: " ") }
        return Data(stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! })
    }

    /// `value` as `digits` hex digits.
    static func h(_ value: Int, _ digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    static func read(_ data: Data) throws -> MessagePackValue { try MessagePackReader().read(data) }

    /// The value, its encoding, and that the encoding reads back to the value.
    static func roundTrip(_ value: MessagePackValue, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = value.encoded()
        #expect(bytes == hex(expected), "\(value) encodes as \(bytes.map { Self.h(Int($0), 2) }.joined())", sourceLocation: sourceLocation)
        #expect(try read(bytes) == value, sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        // positive fixint, uint8, uint16, uint32, uint64 and their boundaries
        (Int64(0), "00"), (1, "01"), (127, "7f"), (128, "cc80"), (255, "ccff"), (256, "cd0100"), (65535, "cdffff"),
        (65536, "ce00010000"), (4_294_967_295, "ceffffffff"), (4_294_967_296, "cf0000000100000000"),
        (.max, "cf7fffffffffffffff"),
        // negative fixint, int8, int16, int32, int64 and their boundaries
        (-1, "ff"), (-32, "e0"), (-33, "d0df"), (-128, "d080"), (-129, "d1ff7f"), (-32768, "d18000"),
        (-32769, "d2ffff7fff"), (-2_147_483_648, "d280000000"), (-2_147_483_649, "d3ffffffff7fffffff"),
        (.min, "d38000000000000000"),
    ])
    func signedIntegers(number: Int64, encoding: String) throws {
        try Self.roundTrip(.int(number), encoding)
    }

    @Test func unsignedIntegers() throws {
        try Self.roundTrip(.uint(.max), "cfffffffffffffffff")
        try Self.roundTrip(.uint(UInt64(Int64.max) + 1), "cf8000000000000000")
        // Below Int64.max a .uint writes as the .int of the same number and reads back as .int (equal to it).
        #expect(MessagePackValue.uint(5).encoded() == Self.hex("05"))
        #expect(MessagePackValue.uint(200).encoded() == Self.hex("cc c8"))
        if case .int(200) = try Self.read(Self.hex("cc c8")) {} else { Issue.record("uint8 reads as .int") }
        if case .uint(.max) = try Self.read(Self.hex("cf ffffffffffffffff")) {} else { Issue.record("uint64 max reads as .uint") }
    }

    @Test func wideFormsOfSmallNumbersRead() throws {
        // Other writers may not pick the smallest form: every width reads.
        #expect(try Self.read(Self.hex("cc 05")) == 5)
        #expect(try Self.read(Self.hex("cd 0005")) == 5)
        #expect(try Self.read(Self.hex("ce 00000005")) == 5)
        #expect(try Self.read(Self.hex("cf 0000000000000005")) == 5)
        #expect(try Self.read(Self.hex("d0 fb")) == -5)
        #expect(try Self.read(Self.hex("d1 fffb")) == -5)
        #expect(try Self.read(Self.hex("d2 fffffffb")) == -5)
        #expect(try Self.read(Self.hex("d3 fffffffffffffffb")) == -5)
        #expect(try Self.read(Self.hex("d3 0000000000000005")) == 5)
        #expect(try Self.read(Self.hex("d9 00")) == "")
        #expect(try Self.read(Self.hex("da 0001 61")) == "a")
        #expect(try Self.read(Self.hex("db 00000001 61")) == "a")
        #expect(try Self.read(Self.hex("dc 0001 c0")) == [nil])
        #expect(try Self.read(Self.hex("dd 00000001 c0")) == [nil])
        #expect(try Self.read(Self.hex("de 0001 c0 c3")) == [nil: true])
        #expect(try Self.read(Self.hex("df 00000001 c0 c3")) == [nil: true])
        #expect(try Self.read(Self.hex("c7 01 05 aa")) == .extension(type: 5, data: Data([0xaa])))
        #expect(try Self.read(Self.hex("c8 0001 05 aa")) == .extension(type: 5, data: Data([0xaa])))
        #expect(try Self.read(Self.hex("c9 00000001 05 aa")) == .extension(type: 5, data: Data([0xaa])))
        #expect(try Self.read(Self.hex("c5 0001 aa")) == .binary(Data([0xaa])))
        #expect(try Self.read(Self.hex("c6 00000001 aa")) == .binary(Data([0xaa])))
    }

    @Test func nilAndBooleans() throws {
        try Self.roundTrip(.nil, "c0")
        try Self.roundTrip(false, "c2")
        try Self.roundTrip(true, "c3")
    }

    @Test func floatsKeepTheirWidthAndBits() throws {
        try Self.roundTrip(.double(1.5), "cb 3ff8000000000000")
        try Self.roundTrip(.float(1.5), "ca 3fc00000")
        try Self.roundTrip(.double(-0.0), "cb 8000000000000000")
        try Self.roundTrip(.double(.infinity), "cb 7ff0000000000000")
        try Self.roundTrip(.float(-.infinity), "ca ff800000")
        try Self.roundTrip(.double(.leastNonzeroMagnitude), "cb 0000000000000001")
        // NaN payloads, signalling ones too, survive both ways.
        try Self.roundTrip(.double(Double(bitPattern: 0x7ff0_0000_0000_0001)), "cb 7ff0000000000001")
        try Self.roundTrip(.double(Double(bitPattern: 0xfff8_dead_beef_0000)), "cb fff8deadbeef0000")
        try Self.roundTrip(.float(Float(bitPattern: 0x7fc0_0001)), "ca 7fc00001")
        // Integral doubles stay doubles: no shrinking to an integer or a float32.
        try Self.roundTrip(.double(2), "cb 4000000000000000")
    }

    @Test(arguments: [0, 1, 31, 32, 255, 256, 65535, 65536])
    func stringLengths(length: Int) throws {
        let text = String(repeating: "a", count: length)
        let header = switch length {
        case ...31: Self.h(0xa0 | length, 2)
        case ...255: "d9" + Self.h(length, 2)
        case ...65535: "da" + Self.h(length, 4)
        default: "db" + Self.h(length, 8)
        }
        let bytes = MessagePackValue.string(text).encoded()
        #expect(bytes.prefix(header.count / 2) == Self.hex(header))
        #expect(bytes.count == header.count / 2 + length)
        #expect(try Self.read(bytes) == .string(text))
    }

    @Test func stringLengthsCountUTF8Bytes() throws {
        // 16 × "é" is 32 bytes: str8, not fixstr. Astral characters are 4 bytes each.
        #expect(MessagePackValue.string(String(repeating: "é", count: 15) + "a").encoded().first == 0xbf)
        #expect(MessagePackValue.string(String(repeating: "é", count: 16)).encoded().prefix(2) == Self.hex("d9 20"))
        try Self.roundTrip("😀", "a4 f09f9880")
        try Self.roundTrip("\u{0}", "a1 00")
    }

    @Test(arguments: [0, 1, 255, 256, 65535, 65536])
    func binaryLengths(length: Int) throws {
        let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0) })
        let header = switch length {
        case ...255: "c4" + Self.h(length, 2)
        case ...65535: "c5" + Self.h(length, 4)
        default: "c6" + Self.h(length, 8)
        }
        let bytes = MessagePackValue.binary(data).encoded()
        #expect(bytes.prefix(header.count / 2) == Self.hex(header))
        #expect(try Self.read(bytes) == .binary(data))
    }

    @Test(arguments: [0, 1, 15, 16, 65535, 65536])
    func containerLengths(count: Int) throws {
        let array = MessagePackValue.array(Array(repeating: .nil, count: count))
        let map = MessagePackValue.map((0..<count).map { (key: .int(Int64($0)), value: .nil) })
        let (arrayHeader, mapHeader) = switch count {
        case ...15: (Self.h(0x90 | count, 2), Self.h(0x80 | count, 2))
        case ...65535: ("dc" + Self.h(count, 4), "de" + Self.h(count, 4))
        default: ("dd" + Self.h(count, 8), "df" + Self.h(count, 8))
        }
        let arrayBytes = array.encoded(), mapBytes = map.encoded()
        #expect(arrayBytes.prefix(arrayHeader.count / 2) == Self.hex(arrayHeader))
        #expect(mapBytes.prefix(mapHeader.count / 2) == Self.hex(mapHeader))
        #expect(try Self.read(arrayBytes) == array)
        #expect(try Self.read(mapBytes) == map)
    }

    @Test(arguments: [
        (0, "c7 00 07"), (1, "d4 07"), (2, "d5 07"), (3, "c7 03 07"), (4, "d6 07"), (8, "d7 07"), (16, "d8 07"),
        (17, "c7 11 07"), (255, "c7 ff 07"), (256, "c8 0100 07"), (65535, "c8 ffff 07"), (65536, "c9 00010000 07"),
    ])
    func extensionLengths(length: Int, header: String) throws {
        let value = MessagePackValue.extension(type: 7, data: Data(repeating: 0xab, count: length))
        let bytes = value.encoded()
        #expect(bytes.prefix(Self.hex(header).count) == Self.hex(header))
        #expect(bytes.count == Self.hex(header).count + length)
        #expect(try Self.read(bytes) == value)
    }

    @Test func negativeExtensionTypesAndTimestamps() throws {
        try Self.roundTrip(.extension(type: -1, data: Self.hex("00000001")), "d6 ff 00000001")
        try Self.roundTrip(.extension(type: -128, data: Data([1])), "d4 80 01")
    }

    @Test func mapsKeepOrderAndTakeAnyKey() throws {
        let map: MessagePackValue = ["b": 1, "a": 2, 3: [true], [1, 2]: nil, .binary(Data([9])): 1.5, nil: "x"]
        try Self.roundTrip(map, "86 a162 01 a161 02 03 91c3 920102 c0 c40109 cb3ff8000000000000 c0 a178")
        #expect(map["a"] == 2)
        #expect(map["z"] == nil)
        // Repeated keys are kept as they are.
        try Self.roundTrip(.map([(key: "k", value: 1), (key: "k", value: 2)]), "82 a16b 01 a16b 02")
    }

    @Test func nestedValue() throws {
        let value: MessagePackValue = ["compact": true, "schema": 0, "list": [1, -1, "two", 3.0, nil, [:], []]]
        try Self.roundTrip(value, "83 a7636f6d70616374 c3 a6736368656d61 00 a46c697374 97 01 ff a374776f cb4008000000000000 c0 80 90")
    }

    @Test func equalityFollowsTheEncoding() {
        #expect(MessagePackValue.int(5) == .uint(5))
        #expect(MessagePackValue.int(-1) != .uint(.max))
        #expect(MessagePackValue.int(5).hashValue == MessagePackValue.uint(5).hashValue)
        #expect(MessagePackValue.double(.nan) == .double(.nan))
        #expect(MessagePackValue.double(0.0) != .double(-0.0))
        #expect(MessagePackValue.float(1) != .double(1))
        #expect(MessagePackValue.int(1) != .double(1))
        // "é" precomposed and decomposed are equal Strings but different bytes.
        #expect("\u{e9}" == "e\u{301}")
        #expect(MessagePackValue.string("\u{e9}") != .string("e\u{301}"))
        #expect(MessagePackValue.map([(key: "a", value: 1), (key: "b", value: 2)]) != .map([(key: "b", value: 2), (key: "a", value: 1)]))
        let set: Set<MessagePackValue> = [.int(1), .uint(1), .double(.nan), .double(.nan), "a", .binary(Data([1]))]
        #expect(set.count == 4)
    }

    @Test func accessors() {
        let value: MessagePackValue = ["n": 3, "u": .uint(.max), "s": "x", "b": .binary(Data([1])), "a": [nil], "t": true, "f": .float(0.5)]
        #expect(value["n"]?.int64Value == 3)
        #expect(value["n"]?.uint64Value == 3)
        #expect(value["u"]?.int64Value == nil)
        #expect(value["u"]?.uint64Value == .max)
        #expect(MessagePackValue.int(-1).uint64Value == nil)
        #expect(value["f"]?.doubleValue == 0.5)
        #expect(value["n"]?.doubleValue == 3)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["b"]?.dataValue == Data([1]))
        #expect(value["a"]?.arrayValue == [.nil])
        #expect(value["a"]?[0 as Int]?.isNil ?? true)
        #expect(value["t"]?.boolValue == true)
        #expect(value.mapValue?.count == 7)
        #expect(value["s"]?.int64Value == nil)
        #expect(value.description == #"{"n": 3, "u": 18446744073709551615, "s": "x", "b": bin(1: 01), "a": [nil], "t": true, "f": 0.5f}"#)
    }

    @Test func readPrefixLeavesTheRest() throws {
        let (value, count) = try MessagePackReader().readPrefix(Self.hex("92 01 02 c3 c3"))
        #expect(value == [1, 2])
        #expect(count == 3)
    }

    @Test func writerPiecesMakeTheSameBytes() {
        var writer = MessagePackWriter()
        writer.writeMapHeader(count: 2)
        writer.writeString("image")
        writer.writeBinary(Data([1, 2, 3]))
        writer.writeString("seed")
        writer.writeInt(-7)
        #expect(writer.data == MessagePackValue.map([(key: "image", value: .binary(Data([1, 2, 3]))), (key: "seed", value: -7)]).encoded())
        #expect(writer.bytes.count == 1 + 6 + 5 + 5 + 1)
    }

    /// `read(sharing:)` (realtime results): the same values as `read(_:)`; a large payload points into the
    /// message and keeps it alive after the caller let go of it; small ones are copies.
    @Test func sharingReadGivesTheSameValuesAndPayloadsOutliveTheMessage() throws {
        let big = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let second = Data(repeating: 9, count: MessagePackReader.sharedPayloadBytes)
        let value: MessagePackValue = ["images": [["content": .binary(big)], ["content": .binary(second)]], "small": .binary(Data([1, 2, 3]))]
        var shared: MessagePackValue?
        do {
            let message = value.encoded()
            let read = try MessagePackReader().read(sharing: message)
            #expect(read == (try MessagePackReader().read(message)))
            message.withUnsafeBytes { bytes in
                let range = bytes.baseAddress!..<(bytes.baseAddress! + bytes.count)
                read["images"]?[0]?["content"]?.dataValue?.withUnsafeBytes { #expect(range.contains($0.baseAddress!), "a large payload is shared") }
                read["small"]?.dataValue?.withUnsafeBytes { #expect(!range.contains($0.baseAddress!), "a small one is copied") }
            }
            shared = read
        }
        // The message is gone from this scope; its payloads still hold their bytes.
        let first = try #require(shared?["images"]?[0]?["content"]?.dataValue)
        #expect(first == big)
        // Writing to one payload changes neither the other nor anything else read.
        var written = first
        written[written.startIndex] ^= 0xff
        #expect(written != big)
        #expect(shared?["images"]?[1]?["content"]?.dataValue == second)
        #expect(shared?["small"]?.dataValue == Data([1, 2, 3]))
    }

    @Test func aReusedWriterKeepsItsBufferAndWritesOnlyTheNewValue() {
        let large: MessagePackValue = ["content": .binary(Data(repeating: 7, count: 100_000)), "seed": 1]
        var writer = MessagePackWriter()
        writer.write(large)
        let capacity = writer.bytes.capacity
        writer.removeAll()
        #expect(writer.bytes.isEmpty)
        writer.write(["seed": 2])
        #expect(writer.data == MessagePackValue.map([(key: "seed", value: 2)]).encoded())
        #expect(writer.bytes.capacity == capacity)
        writer.removeAll()
        writer.write(large)
        #expect(writer.data == large.encoded())
        #expect(writer.bytes.capacity == capacity)
    }
}

extension MessagePackValue {
    /// Test convenience: element `index` of an array.
    subscript(index: Int) -> MessagePackValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}
