import Foundation
import HostileFixture
import Testing

/// The generated hostile types at work: names map back to fal's exact keys, the documented example round
/// trips, and `validate()` enforces pattern, exclusiveMaximum, fractional multipleOf, maxItems, minimum and
/// integer enums at the right paths.
@Suite struct HostileTypesTests {
    typealias Input = TestHostile.Input

    static func decode(_ text: String) throws -> Input {
        try JSONDecoder().decode(Input.self, from: Data(text.utf8))
    }

    static func json(_ value: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    static func messages(_ input: Input) -> [String] { input.validationIssues().map(\.description) }

    static let example = #"{"class": "x", "2fa_code": "123456", "tree": {"name": "root", "children": [{"name": "leaf", "children": []}]}}"#

    @Test func documentedExampleRoundTrips() throws {
        let input = try Self.decode(Self.example)
        #expect(input.validationIssues().isEmpty)
        #expect(input.class == "x")
        #expect(input._2faCode == "123456")
        #expect(input.tree?.children?.first?.name == "leaf")
        let original = try JSONDecoder().decode(JSONValue.self, from: Data(Self.example.utf8))
        #expect(try Self.json(input) == original)
    }

    @Test func keywordAndCollidingNamesKeepFalsKeys() throws {
        var input = Input(class: "c", _2faCode: "000000")
        input.protocol = 2
        input.self_ = true
        input.type = "T"
        input._3d = false
        input.imageURL = .url("https://example.com/a.png")
        input.imageURL2 = "camel"
        input.imageURL3 = "dash"
        input.imageURL4 = "space"
        input.private = "p"
        input.default = 2.5
        input.enumWithKeywords = .case
        input.emptyNameEnum = 0
        let expected: JSONValue = .object([
            "class": "c", "2fa_code": "000000", "protocol": 2, "self": true, "Type": "T", "3d": false,
            "image_url": "https://example.com/a.png", "imageURL": "camel", "image-url": "dash", "image url": "space",
            "_private": "p", "default": 2.5, "enum_with_keywords": "case", "empty_name_enum": 0,
        ])
        #expect(try Self.json(input) == expected)
        #expect(try Self.decode(String(decoding: JSONEncoder().encode(input), as: UTF8.self)) == input)
    }

    @Test func enumCasesRoundTripEveryRawValue() throws {
        let raw = TestHostile.EnumWithKeywords.allCases.map(\.rawValue)
        #expect(raw == ["default", "case", "1x", "2x", "self", "Type", "in", "a b", "a-b", "A_B", "a_b", "", "漢"])
        for value in TestHostile.EnumWithKeywords.allCases {
            #expect(try JSONDecoder().decode(TestHostile.EnumWithKeywords.self, from: JSONEncoder().encode(value)) == value)
        }
        #expect(throws: DecodingError.self) { try Self.decode(#"{"class": "x", "2fa_code": "123456", "enum_with_keywords": "Default"}"#) }
    }

    @Test func patternIsEnforced() throws {
        #expect(Self.messages(try Self.decode(#"{"class": "x", "2fa_code": "654321"}"#)).isEmpty)
        #expect(Self.messages(try Self.decode(#"{"class": "x", "2fa_code": "12345"}"#)) == [#"2fa_code: "12345" does not match pattern ^[0-9]{6}$"#])
        #expect(Self.messages(try Self.decode(#"{"class": "x", "2fa_code": "12345a"}"#)).count == 1)
    }

    @Test func exclusiveMaximumIsExclusive() throws {
        let below = try Self.decode(#"{"class": "x", "2fa_code": "123456", "default": 9.999}"#)
        #expect(Self.messages(below).isEmpty)
        let at = try Self.decode(#"{"class": "x", "2fa_code": "123456", "default": 10}"#)
        #expect(Self.messages(at) == ["default: 10 must be less than 10"])
    }

    @Test func fractionalMultipleOfAndMaxItemsInNestedArrays() throws {
        let good = try Self.decode(#"{"class": "x", "2fa_code": "123456", "numbers": [[0.5, 1, -2.5], [], [1e2]]}"#)
        #expect(Self.messages(good).isEmpty)
        let bad = try Self.decode(#"{"class": "x", "2fa_code": "123456", "numbers": [[0.5], [0.3, 7.25], [], [1]]}"#)
        #expect(Self.messages(bad) == [
            "numbers: has 4 items, more than maximum 3",
            "numbers[1][0]: 0.3 is not a multiple of 0.5",
            "numbers[1][1]: 7.25 is not a multiple of 0.5",
        ])
    }

    @Test func boundsAndIntegerEnumsCollectEveryViolation() throws {
        let input = try Self.decode(#"{"class": "x", "2fa_code": "1", "protocol": 4, "default": 11, "empty_name_enum": 3}"#)
        #expect(Self.messages(input) == [
            "protocol: 4 exceeds maximum 3",
            #"2fa_code: "1" does not match pattern ^[0-9]{6}$"#,
            "default: 11 must be less than 10",
            "empty_name_enum: 3 is not one of 0, 1, 2",
        ])
    }

    /// JSON Schema lengths count code points: not graphemes (Swift's `count`), not UTF-16 units.
    @Test func stringLengthsCountCodePoints() throws {
        func issues(_ text: String) throws -> [String] {
            let body = String(decoding: try JSONEncoder().encode(["class": "x", "2fa_code": "123456", "short_text": text]), as: UTF8.self)
            return Self.messages(try Self.decode(body))
        }
        #expect(try issues("🎨🎨🎨").isEmpty)  // 3 code points, 6 UTF-16 units
        #expect(try issues("e\u{301}a").isEmpty)  // 3 code points, 2 graphemes
        #expect(try issues("e\u{301}e\u{301}") == ["short_text: length 4 exceeds maximum length 3"])  // 2 graphemes
        #expect(try issues("") == ["short_text: length 0 is shorter than minimum length 1"])
    }

    @Test func deepNestingValidatesAtTheFullPath() throws {
        var text = #"{"next": "bottom", "depth": -1}"#
        for level in 2...8 { text = #"{"next": \#(text), "depth": \#(level)}"# }
        let input = try Self.decode(#"{"class": "x", "2fa_code": "123456", "deep": \#(text)}"#)
        #expect(input.deep?.next?.next?.next?.next?.next?.next?.next?.next == "bottom")
        #expect(Self.messages(input) == ["deep.next.next.next.next.next.next.next.depth: -1 is less than minimum 0"])
    }

    @Test func recursiveTreeDecodesAtAnyDepth() throws {
        var tree = #"{"name": "leaf"}"#
        for level in 0..<50 { tree = #"{"name": "n\#(level)", "children": [\#(tree)], "parent": {"name": "p", "parent": null}}"# }
        let text = #"{"class": "x", "2fa_code": "123456", "tree": \#(tree)}"#
        let input = try Self.decode(text)
        var depth = 0
        var node = input.tree
        while let current = node { depth += 1; node = current.children?.first }
        #expect(depth == 51)
        #expect(input.tree?.parent?.value.name == "p")
        #expect(input.tree?.parent?.value.parent == nil)
        // The box leaves no trace in the JSON.
        var expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        expected = Self.removingNulls(expected)
        #expect(try Self.json(input) == expected)
    }

    /// The recursive `parent` is typed, so it is decoded strictly and its nested tree is validated.
    @Test func recursiveParentIsTyped() throws {
        #expect(throws: DecodingError.self) { try Self.decode(#"{"class": "x", "2fa_code": "1", "tree": {"name": "a", "parent": {"x": 1}}}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(#"{"class": "x", "2fa_code": "1", "tree": {"name": "a", "parent": true}}"#) }
        var node = TestHostile.TreeNode(name: "child")
        node.parent = Indirect(TestHostile.TreeNode(name: "parent", children: [TestHostile.TreeNode(name: "sibling")]))
        #expect(node.parent?.value.children?.first?.name == "sibling")
    }

    /// `null` members dropped: optional nil fields are omitted when encoding.
    static func removingNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): return .object(members.filter { $0.value != .null }.mapValues(removingNulls))
        case .array(let items): return .array(items.map(removingNulls))
        default: return value
        }
    }

    @Test func inputsRejectWhatTheSchemaRejects() throws {
        #expect(throws: DecodingError.self) { try Self.decode(#"{"2fa_code": "123456"}"#) }  // `class` is required
        #expect(throws: DecodingError.self) { try Self.decode(#"{"class": "x", "2fa_code": "123456", "protocol": null}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(#"{"class": "x", "2fa_code": "123456", "protocol": 1.5}"#) }
        #expect(try Self.decode(#"{"class": "x", "2fa_code": "123456", "protocol": 2.0}"#).protocol == 2)
    }
}
