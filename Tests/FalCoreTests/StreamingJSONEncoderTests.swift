@testable import FalCore
import Foundation
import Testing

/// `StreamingJSONEncoder` must write what `JSONEncoder` (`.withoutEscapingSlashes`) writes, up to member
/// order, and hand back nil where a stream cannot follow the encoding.
@Suite struct StreamingJSONEncoderTests {
    struct Size: Codable, Hashable { var width: Int; var height: Int? }
    enum Mode: String, Codable, Hashable { case fast, quality = "high quality" }

    struct Input: Codable, Hashable {
        var prompt: String
        var imageSize: Size?
        var steps: Int
        var guidance: Double
        var strength: Float
        var seeds: [Int64]
        var flags: [Bool]
        var mode: Mode
        var loras: [[String: Double]]
        var extra: JSONValue
        var nested: [[Size?]]
        var url: URL
        var data: Data
        var date: Date
        var decimal: Decimal
        var unsigned: UInt64
        var small: Int8
        var missing: String?
        enum CodingKeys: String, CodingKey {
            case prompt, imageSize = "image_size", steps, guidance, strength, seeds, flags, mode, loras, extra, nested, url, data, date, decimal, unsigned, small, missing
        }
    }

    static let input = Input(
        prompt: "a \"castle\" / \\ on a hill\n\tdawn \u{1} \u{7F} é 😀", imageSize: Size(width: 1024, height: nil), steps: 28, guidance: 3.5,
        strength: 0.1, seeds: [0, -1, .max, .min], flags: [true, false], mode: .quality, loras: [["scale": 1.0], ["scale": 0.75, "weight": 1e-7]],
        extra: ["a": [1, 2.5, "s", true, nil, ["b": [:]]], "z": 1e21], nested: [[Size(width: 8, height: 16), nil], []],
        url: URL(string: "https://fal.media/files/x.png?a=1&b=2")!, data: Data([0, 1, 254, 255]), date: Date(timeIntervalSinceReferenceDate: 12.5),
        decimal: Decimal(string: "3.14159")!, unsigned: .max, small: -128, missing: nil)

    /// Both encoders' text for `value`, and the two read back as JSON values.
    func both<T: Encodable>(_ value: T) throws -> (streamed: Data, expected: Data) {
        let reference = JSONEncoder()
        reference.outputFormatting = [.withoutEscapingSlashes]
        let streamed = try #require(try StreamingJSONEncoder().encode(value))
        return (streamed, try reference.encode(value))
    }

    @Test func sameJSONAsJSONEncoder() throws {
        let (streamed, expected) = try both(Self.input)
        #expect(try JSONDecoder().decode(JSONValue.self, from: streamed) == JSONDecoder().decode(JSONValue.self, from: expected))
        #expect(try JSONDecoder().decode(Input.self, from: streamed) == Self.input)
    }

    @Test func membersComeInEncodingOrder() throws {
        let text = String(decoding: try #require(try StreamingJSONEncoder().encode(Self.input)), as: UTF8.self)
        let keys = Input.CodingKeys.allCases.filter { $0 != .missing }.map { "\"\($0.rawValue)\":" }
        let positions = keys.map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
    }

    @Test func scalarsAreByteForByteJSONEncoders() throws {
        let strings = ["", "plain", "quote \" backslash \\ slash /", "\u{0}\u{1}\u{8}\u{9}\u{A}\u{C}\u{D}\u{1F}\u{7F}", "é 中 😀 \u{2028}"]
        let doubles = [0, -0.0, 1, 1.5, 0.1, 1e-7, 1e21, 1e16, 123456789.125, .leastNonzeroMagnitude, 1.7976931348623157e308, 0.30000000000000004, -2.5e-3]
        let floats: [Float] = [0.1, 1, 3.4e38, 1e-7]
        for value in strings { let (a, b) = try both([value]); #expect(a == b, "\(value.debugDescription)") }
        let (d1, d2) = try both(doubles)
        #expect(String(decoding: d1, as: UTF8.self) == String(decoding: d2, as: UTF8.self))
        let (f1, f2) = try both(floats)
        #expect(String(decoding: f1, as: UTF8.self) == String(decoding: f2, as: UTF8.self))
        let (i1, i2) = try both([Int8.min, 0, 9, 10])
        #expect(i1 == i2)
        let (u1, u2) = try both([UInt64.max])
        #expect(u1 == u2)
        let (s1, s2) = try both("top level")
        #expect(s1 == s2)
    }

    struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }

    struct TwoContainers: Encodable {
        enum Key: CodingKey { case a, b }
        func encode(to encoder: any Encoder) throws {
            var first = encoder.container(keyedBy: Key.self)
            try first.encode(1, forKey: .a)
            var second = encoder.container(keyedBy: Key.self)  // the same object, as in JSONEncoder
            try second.encode(2, forKey: .b)
        }
    }

    @Test func valuesThatWriteNothingOrShareTheirContainer() throws {
        let (a, b) = try both([Nothing(), Nothing()])
        #expect(a == b)
        let (c, d) = try both(TwoContainers())
        #expect(try JSONDecoder().decode(JSONValue.self, from: c) == JSONDecoder().decode(JSONValue.self, from: d))
    }

    struct Interleaved: Encodable {
        enum Key: CodingKey { case first, second, late }
        func encode(to encoder: any Encoder) throws {
            var outer = encoder.container(keyedBy: Key.self)
            var first = outer.nestedContainer(keyedBy: Key.self, forKey: .first)
            var second = outer.nestedUnkeyedContainer(forKey: .second)
            try second.encode(1)
            try first.encode(2, forKey: .late)  // back into a container whose sibling was opened since
        }
    }

    struct UsesSuper: Encodable {
        enum Key: CodingKey { case a }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(1, forKey: .a)
            try Size(width: 8, height: nil).encode(to: container.superEncoder())
        }
    }

    struct TwoValues: Encodable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(1)
            try? container.encode(2)  // swallowing the refusal must not leave "12" behind
        }
    }

    @Test func encodingsAStreamCannotFollowGiveNil() throws {
        #expect(try StreamingJSONEncoder().encode(Interleaved()) == nil)
        #expect(try StreamingJSONEncoder().encode(UsesSuper()) == nil)
        #expect(try StreamingJSONEncoder().encode([TwoValues()]) == nil)
    }

    @Test func nonFiniteNumbersFailWithTheirPath() throws {
        struct Holder: Encodable { var values: [Double] }
        let error = #expect(throws: EncodingError.self) { _ = try StreamingJSONEncoder().encode(Holder(values: [1, .nan])) }
        guard case .invalidValue(_, let context)? = error else { return }
        #expect(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["values", "1"])
    }

    @Test func userInfoReachesEveryValue() throws {
        struct Probe: Encodable {
            static let key = CodingUserInfoKey(rawValue: "probe")!
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(encoder.userInfo[Self.key] as? String ?? "missing")
            }
        }
        var encoder = StreamingJSONEncoder()
        encoder.userInfo[Probe.key] = "seen"
        #expect(try encoder.encode(["a": [Probe()]]).map { String(decoding: $0, as: UTF8.self) } == #"{"a":["seen"]}"#)
    }
}

extension StreamingJSONEncoderTests.Input.CodingKeys: CaseIterable {}
