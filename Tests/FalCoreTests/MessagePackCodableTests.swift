@testable import FalCore
import Foundation
import Testing

/// Typed endpoint models (`Codable` structs with snake_case keys) to and from MessagePack.
@Suite struct MessagePackCodableTests {
    struct Size: Codable, Hashable { var width: Int; var height: Int? }
    enum Mode: String, Codable, Hashable { case fast, quality = "high quality" }
    enum Level: Int, Codable, Hashable { case low = 1, high = 3 }
    enum Shape: Codable, Hashable { case circle(radius: Double), rectangle(Size), none }

    struct Input: Codable, Hashable {
        var prompt: String
        var imageSize: Size?
        var numInferenceSteps: Int
        var guidanceScale: Double
        var strength: Float
        var seeds: [Int64]
        var image: Data
        var mode: Mode
        var level: Level
        var loras: [[String: Double]]
        var extra: JSONValue?
        var meta: [String: String]
        var byIndex: [Int: String]
        var nested: [[Size?]]
        var shapes: [Shape]
        var date: Date
        var url: URL
        var unsigned: UInt64
        var small: Int8
        var raw: MessagePackValue
        var missing: String?
        enum CodingKeys: String, CodingKey {
            case prompt, imageSize = "image_size", numInferenceSteps = "num_inference_steps", guidanceScale = "guidance_scale"
            case strength, seeds, image, mode, level, loras, extra, meta, byIndex = "by_index", nested, shapes, date, url, unsigned, small, raw, missing
        }
    }

    static let input = Input(
        prompt: "a castle on a hill, dawn 😀", imageSize: Size(width: 1024, height: nil), numInferenceSteps: 28, guidanceScale: 3.5,
        strength: 0.1, seeds: [0, -1, .max, .min], image: Data((0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }), mode: .quality,
        level: .high, loras: [["scale": 1.0], ["scale": 0.75, "weight": 1e-7]], extra: ["a": [1, 2.5, "s", true, nil, ["b": [:]]]],
        meta: ["k": "v", "empty": ""], byIndex: [1: "one", -2: "minus two"], nested: [[Size(width: 8, height: 16), nil], []],
        shapes: [.circle(radius: 2), .rectangle(Size(width: 1, height: 2)), .none], date: Date(timeIntervalSince1970: 1_700_000_000.25),
        url: URL(string: "https://fal.media/files/x.png?a=1&b=2")!, unsigned: .max, small: -128,
        raw: [.binary(Data([1, 2])), .extension(type: 5, data: Data([9])), .float(1.5), [1: "one"]], missing: nil)

    static func encode<T: Encodable>(_ value: T) throws -> Data { try MessagePackEncoder().encode(value) }
    static func decode<T: Decodable>(_ type: T.Type, _ value: MessagePackValue) throws -> T {
        try MessagePackDecoder().decode(type, from: value.encoded())
    }

    @Test func roundTrip() throws {
        let bytes = try Self.encode(Self.input)
        #expect(try MessagePackDecoder().decode(Input.self, from: bytes) == Self.input)
        // Through a value as well, and the value is what the bytes hold.
        let value = try MessagePackEncoder().encodeToValue(Self.input)
        #expect(value.encoded() == bytes)
        #expect(try MessagePackDecoder().decode(Input.self, from: value) == Self.input)
    }

    @Test func keysAreSnakeCaseInEncodingOrder() throws {
        let value = try MessagePackReader().read(Self.encode(Self.input))
        let keys = try #require(value.mapValue).map { $0.key.stringValue }
        #expect(keys == Input.CodingKeys.allCases.filter { $0 != .missing }.map(\.rawValue))
    }

    @Test func scalarsTakeTheirMessagePackForms() throws {
        let value = try MessagePackReader().read(Self.encode(Self.input))
        #expect(value["image"] == .binary(Self.input.image))
        #expect(value["guidance_scale"] == .double(3.5))
        #expect(value["strength"] == .float(0.1))
        #expect(value["num_inference_steps"] == .int(28))
        #expect(value["unsigned"] == .uint(.max))
        #expect(value["date"] == .double(1_700_000_000.25))
        #expect(value["url"] == "https://fal.media/files/x.png?a=1&b=2")
        #expect(value["mode"] == "high quality")
        #expect(value["level"] == 3)
        #expect(value["image_size"] == ["width": 1024])
        #expect(value["extra"] == ["a": [1, 2.5, "s", true, nil, ["b": [:]]]])
        #expect(value["raw"] == Self.input.raw)
        #expect(value["shapes"]?[0] == ["circle": ["radius": 2.0]])
        #expect(value["shapes"]?[2] == ["none": [:]])
        // 40,000 image bytes are one bin32 run: the frame is barely larger than the image.
        #expect(try Self.encode(Self.input).count < 40_000 + 600)
    }

    struct Explicit: Encodable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: MessagePackNameKey.self)
            try container.encodeNil(forKey: MessagePackNameKey("n"))
            try container.encode(1, forKey: MessagePackNameKey("a"))
            try container.encode(2, forKey: MessagePackNameKey("a"))  // replaces in place
        }
    }

    @Test func encodeNilAndRepeatedKeys() throws {
        #expect(try MessagePackEncoder().encodeToValue(Explicit()) == .map([(key: "n", value: .nil), (key: "a", value: 2)]))
    }

    @Test func topLevelValues() throws {
        #expect(try Self.encode(5) == Data([5]))
        #expect(try Self.encode("a") == Data([0xa1, 0x61]))
        #expect(try Self.encode([1.5]) == MessagePackValue.array([.double(1.5)]).encoded())
        #expect(try Self.encode(Optional<Int>.none) == Data([0xc0]))
        #expect(try Self.encode(Data([1])) == Data([0xc4, 1, 1]))
        #expect(try MessagePackDecoder().decode(Int?.self, from: Data([0xc0])) == nil)
        #expect(try MessagePackDecoder().decode([UInt8].self, from: Data([0x92, 1, 2])) == [1, 2])
    }

    // MARK: Decoding lenience, as JSONDecoder's

    @Test func numbersConvertLikeJSONDecoder() throws {
        #expect(try Self.decode(Double.self, 3) == 3.0)
        #expect(try Self.decode(Double.self, .uint(.max)) == 18_446_744_073_709_551_615.0)
        #expect(try Self.decode(Double.self, .float(0.5)) == 0.5)
        #expect(try Self.decode(Float.self, .double(0.1)) == 0.1)
        #expect(try Self.decode(Float.self, 7) == 7)
        #expect(try Self.decode(Int.self, 3.0) == 3)
        #expect(try Self.decode(Int.self, .float(-2)) == -2)
        #expect(try Self.decode(UInt8.self, 255) == 255)
        #expect(try Self.decode(UInt64.self, .uint(.max)) == .max)
        #expect(try Self.decode(Decimal.self, 2.5) == Decimal(string: "2.5"))
        #expect(try Self.decode(Decimal.self, -7) == Decimal(-7))
        for (value, type): (MessagePackValue, any Decodable.Type) in [
            (3.5, Int.self), (300, UInt8.self), (-1, UInt.self), (.double(.nan), Int.self), (1e20, Int64.self),
            (.uint(.max), Int64.self), (.double(1e300), Float.self), (.double(.infinity), Decimal.self),
        ] {
            #expect(throws: DecodingError.self, "\(value) as \(type)") { _ = try Self.decode(type, value) }
            if case DecodingError.dataCorrupted(let context)? = Self.decodingError(type, value) {
                #expect(context.debugDescription.contains("not representable"))
            } else {
                Issue.record("\(value) as \(type): \(String(describing: Self.decodingError(type, value)))")
            }
        }
        // Infinity and NaN are numbers in MessagePack.
        #expect(try Self.decode(Double.self, .double(.infinity)) == .infinity)
        #expect(try Self.decode(Float.self, .double(-.infinity)) == -.infinity)
    }

    static func decodingError(_ type: any Decodable.Type, _ value: MessagePackValue) -> DecodingError? {
        do {
            _ = try decode(type, value)
            return nil
        } catch {
            return error as? DecodingError
        }
    }

    @Test func typesMatchStrictlyOtherwise() throws {
        for (value, type): (MessagePackValue, any Decodable.Type) in [
            (1, String.self), ("1", Int.self), (1, Bool.self), ("true", Bool.self), (.binary(Data([1])), String.self),
            (true, Int.self), (.array([1]), Int.self), (.map([]), [Int].self), (.array([]), Size.self), (5, Data.self), (5, URL.self), (true, Date.self),
            (.extension(type: 3, data: Data()), Int.self),
        ] {
            guard case .typeMismatch? = Self.decodingError(type, value) else {
                Issue.record("\(value) as \(type): \(String(describing: Self.decodingError(type, value)))")
                continue
            }
        }
        guard case .valueNotFound? = Self.decodingError(Int.self, nil), case .valueNotFound? = Self.decodingError(Size.self, nil) else {
            Issue.record("nil for a non-optional is valueNotFound")
            return
        }
    }

    @Test func dataTakesBinOrBase64() throws {
        #expect(try Self.decode(Data.self, .binary(Data([1, 2]))) == Data([1, 2]))
        #expect(try Self.decode(Data.self, "AQI=") == Data([1, 2]))
        guard case .dataCorrupted? = Self.decodingError(Data.self, "not base64!") else { Issue.record("bad Base64"); return }
    }

    @Test func datesTakeSecondsOrTimestamps() throws {
        #expect(try Self.decode(Date.self, 1_700_000_000) == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(try Self.decode(Date.self, .extension(type: -1, data: Data([0, 0, 0, 5]))) == Date(timeIntervalSince1970: 5))
        // timestamp 64: 500,000,000 ns << 34 | 7 s.
        let packed = UInt64(500_000_000) << 34 | 7
        let eight = Data((0..<8).map { UInt8(truncatingIfNeeded: packed >> (56 - 8 * $0)) })
        #expect(try Self.decode(Date.self, .extension(type: -1, data: eight)) == Date(timeIntervalSince1970: 7.5))
        // timestamp 96: nanoseconds, then signed seconds (-2 s + 0.25 s).
        let twelve = Data([0x0e, 0xe6, 0xb2, 0x80] + [UInt8](repeating: 0xff, count: 7) + [0xfe])
        #expect(try Self.decode(Date.self, .extension(type: -1, data: twelve)) == Date(timeIntervalSince1970: -1.75))
        guard case .dataCorrupted? = Self.decodingError(Date.self, .extension(type: -1, data: Data([1, 2, 3]))) else {
            Issue.record("a 3-byte timestamp is corrupt")
            return
        }
        let tooManyNanoseconds = Data([0x3b, 0x9a, 0xca, 0x00] + [UInt8](repeating: 0, count: 8))
        guard case .dataCorrupted? = Self.decodingError(Date.self, .extension(type: -1, data: tooManyNanoseconds)) else {
            Issue.record("10^9 nanoseconds is corrupt")
            return
        }
    }

    @Test func errorsCarryTheCodingPath() throws {
        var value = try MessagePackEncoder().encodeToValue(Self.input)
        guard case .map(var entries) = value else { Issue.record("not a map"); return }
        let nestedIndex = try #require(entries.firstIndex { $0.key == "nested" })
        entries[nestedIndex].value = [[["width": "wide"]]]
        value = .map(entries)
        guard case .typeMismatch(_, let context)? = Self.decodingError(Input.self, value) else { Issue.record("typeMismatch expected"); return }
        #expect(context.codingPath.map(\.stringValue) == ["nested", "Index 0", "Index 0", "width"])
        #expect(context.debugDescription == "Expected to decode Int but found a string instead.")

        entries.removeAll { $0.key == "prompt" }
        guard case .keyNotFound(let key, _)? = Self.decodingError(Input.self, .map(entries)) else { Issue.record("keyNotFound expected"); return }
        #expect(key.stringValue == "prompt")
    }

    @Test func unknownKeysAreIgnoredAndNilIsAbsent() throws {
        #expect(try Self.decode(Size.self, ["width": 3, "height": nil, "depth": 9, 5: "x", "extra": [1, 2]]) == Size(width: 3, height: nil))
        // The first of repeated keys wins, in small maps and in large ones (looked up through a table).
        #expect(try Self.decode(Size.self, .map([(key: "width", value: 1), (key: "width", value: 2)])) == Size(width: 1))
        var large: [(key: MessagePackValue, value: MessagePackValue)] = (0..<40).map { (key: .string("k\($0)"), value: .int(Int64($0))) }
        large += [(key: "width", value: 7), (key: "height", value: 8), (key: "width", value: 9)]
        #expect(try Self.decode(Size.self, .map(large)) == Size(width: 7, height: 8))
        #expect(try Self.decode([String: Int].self, .map(large)).count == 42)
    }

    @Test func badBytesAreDataCorruptedWithTheReaderError() throws {
        do {
            _ = try MessagePackDecoder().decode(Size.self, from: Data([0x81, 0xc1, 0x01]))
            Issue.record("decoded")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.codingPath.isEmpty)
            #expect(context.underlyingError as? MessagePackError == .reservedByte(offset: 1))
        }
        var shallow = MessagePackDecoder()
        shallow.maxDepth = 1
        #expect(throws: DecodingError.self) { try shallow.decode([[Int]].self, from: Data([0x91, 0x91, 0x01])) }
    }

    // MARK: Containers in every order

    class Base: Codable {
        var id: Int
        init(id: Int) { self.id = id }
    }

    final class Derived: Base, @unchecked Sendable {
        var name: String
        init(id: Int, name: String) { self.name = name; super.init(id: id) }
        enum CodingKeys: String, CodingKey { case name }
        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            try super.init(from: container.superDecoder())
        }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            // The super encoder is taken first and filled after its sibling.
            let parent = container.superEncoder()
            try container.encode(name, forKey: .name)
            try super.encode(to: parent)
        }
    }

    @Test func superEncoderAndDecoder() throws {
        let value = try MessagePackEncoder().encodeToValue(Derived(id: 4, name: "d"))
        #expect(value == ["super": ["id": 4], "name": "d"])
        let decoded = try MessagePackDecoder().decode(Derived.self, from: value)
        #expect(decoded.id == 4 && decoded.name == "d")
    }

    struct OutOfOrder: Codable, Equatable {
        var a: [Int]
        var b: [String: Int]
        enum Keys: String, CodingKey { case a, b, c }
        init(a: [Int], b: [String: Int]) { self.a = a; self.b = b }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            var list = try container.nestedUnkeyedContainer(forKey: .a)
            var items: [Int] = []
            while !list.isAtEnd { items.append(try list.decode(Int.self)) }
            a = items
            let members = try container.nestedContainer(keyedBy: MessagePackNameKey.self, forKey: .b)
            b = Dictionary(uniqueKeysWithValues: try members.allKeys.map { ($0.stringValue, try members.decode(Int.self, forKey: $0)) })
            var rest = try container.nestedUnkeyedContainer(forKey: .c)
            #expect(try rest.decodeNil())
            let inner = try rest.nestedContainer(keyedBy: Keys.self)
            #expect(try inner.decode(Int.self, forKey: .a) == 1)
            #expect(rest.isAtEnd)
            #expect(throws: DecodingError.self) { try rest.decode(Int.self) }
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var list = container.nestedUnkeyedContainer(forKey: .a)
            var members = container.nestedContainer(keyedBy: MessagePackNameKey.self, forKey: .b)
            var rest = container.nestedUnkeyedContainer(forKey: .c)
            try rest.encodeNil()
            var inner = rest.nestedContainer(keyedBy: Keys.self)
            // Back to containers opened before their siblings.
            for item in a { try list.encode(item) }
            for key in b.keys.sorted() { try members.encode(b[key]!, forKey: MessagePackNameKey(key)) }
            try inner.encode(1, forKey: .a)
            #expect(list.count == a.count)
        }
    }

    @Test func containersFilledInAnyOrder() throws {
        let value = OutOfOrder(a: [1, 2], b: ["x": 1, "y": 2])
        #expect(try MessagePackEncoder().encodeToValue(value) == ["a": [1, 2], "b": ["x": 1, "y": 2], "c": [nil, ["a": 1]]])
        #expect(try MessagePackDecoder().decode(OutOfOrder.self, from: Self.encode(value)) == value)
    }

    struct Reader: Codable {
        static let key = CodingUserInfoKey(rawValue: "test.flag")!
        var flag: String
        init(flag: String) { self.flag = flag }
        init(from decoder: any Decoder) throws { flag = decoder.userInfo[Self.key] as? String ?? "none" }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(encoder.userInfo[Self.key] as? String ?? "none")
        }
    }

    @Test func userInfoReachesTheValues() throws {
        var encoder = MessagePackEncoder()
        encoder.userInfo[Reader.key] = "set"
        #expect(try encoder.encodeToValue([Reader(flag: "")]) == ["set"])
        var decoder = MessagePackDecoder()
        decoder.userInfo[Reader.key] = "here"
        #expect(try decoder.decode([Reader].self, from: ["x"]).first?.flag == "here")
    }

    // MARK: JSONValue and other coders

    @Test func jsonValueConversions() throws {
        let json: JSONValue = ["b": [1, 2.5, "s", nil, true], "a": ["z": 1, "y": 2]]
        let value = MessagePackValue(json)
        #expect(value == .map([(key: "a", value: ["y": 2, "z": 1]), (key: "b", value: [1, 2.5, "s", nil, true])]))
        #expect(try JSONValue(value) == json)
        #expect(try JSONValue(.binary(Data([1, 2]))) == "AQI=")
        #expect(try JSONValue(.uint(.max)) == .double(18_446_744_073_709_551_615.0))
        #expect(try JSONValue(.double(2)) == .int(2))
        #expect(try JSONValue(.float(0.5)) == .double(0.5))
        #expect(try JSONValue(.map([(key: "k", value: 1), (key: "k", value: 2)])) == ["k": 1])
        guard case .typeMismatch(_, let context)? = Self.conversionError([["ok": [1: 2]]]) else { Issue.record("int key"); return }
        #expect(context.codingPath.map(\.stringValue) == ["Index 0", "ok"])
        guard case .typeMismatch? = Self.conversionError(["t": .extension(type: -1, data: Data(count: 4))]) else { Issue.record("ext"); return }
    }

    static func conversionError(_ value: MessagePackValue) -> DecodingError? {
        do {
            _ = try JSONValue(value)
            return nil
        } catch {
            return error as? DecodingError
        }
    }

    @Test func messagePackValueThroughJSON() throws {
        let value: MessagePackValue = ["a": [1, -2, 2.5, "s", nil, true], "b": .uint(.max)]
        let json = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(MessagePackValue.self, from: json)["a"] == [1, -2, 2.5, "s", nil, true])
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(MessagePackValue.map([(key: 1, value: 1)])) }
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(MessagePackValue.extension(type: 1, data: Data())) }
    }
}

extension MessagePackCodableTests.Input.CodingKeys: CaseIterable {}
