import Foundation
import Testing
@testable import FalCore

@Suite struct ValidationRuleTests {
    private func issues(_ check: (inout [ValidationIssue]) -> Void) -> [String] {
        var found: [ValidationIssue] = []
        check(&found)
        return found.map(\.description)
    }

    private let width = FieldPath.root.key("image_size").key("width")

    @Test func boundsPhraseTheRuleWithThePath() {
        #expect(issues { Rule.maximum(81, 80, at: .root.key("num_inference_steps"), into: &$0) }
            == ["num_inference_steps: 81 exceeds maximum 80"])
        #expect(issues { Rule.maximum(80, 80, at: .root.key("num_inference_steps"), into: &$0) }.isEmpty)
        #expect(issues { Rule.minimum(-1, 0, at: width, into: &$0) } == ["image_size.width: -1 is less than minimum 0"])
        #expect(issues { Rule.exclusiveMinimum(0.0, 0, at: width, into: &$0) } == ["image_size.width: 0 must be greater than 0"])
        #expect(issues { Rule.exclusiveMaximum(7.5, 7.5, at: width, into: &$0) } == ["image_size.width: 7.5 must be less than 7.5"])
    }

    @Test func multipleOfMatchesJSONSchemaSemantics() {
        #expect(issues { Rule.multipleOf(1001, 8, at: width, into: &$0) } == ["image_size.width: 1001 is not a multiple of 8"])
        #expect(issues { Rule.multipleOf(1000, 8, at: width, into: &$0) }.isEmpty)
        #expect(issues { Rule.multipleOf(0.75, 0.25, at: width, into: &$0) }.isEmpty)
        #expect(issues { Rule.multipleOf(0.8, 0.25, at: width, into: &$0) }.count == 1)
    }

    @Test func stringsArraysAndEnums() {
        let path = FieldPath.root.key("loras").index(2).key("path")
        #expect(issues { Rule.maxLength("héllo", 4, at: path, into: &$0) } == ["loras[2].path: length 5 exceeds maximum length 4"])
        #expect(issues { Rule.minLength("ab", 3, at: path, into: &$0) } == ["loras[2].path: length 2 is shorter than minimum length 3"])
        #expect(issues { Rule.pattern("abc1", "^[a-z]+$", at: path, into: &$0) } == ["loras[2].path: \"abc1\" does not match pattern ^[a-z]+$"])
        #expect(issues { Rule.pattern("xabcx", "abc", at: path, into: &$0) }.isEmpty, "patterns are unanchored")
        #expect(issues { Rule.maxItems(5, 4, at: .root.key("loras"), into: &$0) } == ["loras: has 5 items, more than maximum 4"])
        #expect(issues { Rule.oneOf("Foo", ["DPM++ Karras SDE", "Euler"], at: .root.key("scheduler"), into: &$0) }
            == ["scheduler: \"Foo\" is not one of \"DPM++ Karras SDE\", \"Euler\""])
    }

    @Test func fieldPathFromFalLocation() {
        #expect(FieldPath(location: ["body", "image_size", "width"]).description == "image_size.width")
        #expect(FieldPath(location: ["body", "loras", 0, "scale"]).description == "loras[0].scale")
    }

    @Test func jsonValueRoundTrips() throws {
        let text = #"{"a":[1,2.5,"x",true,null],"b":{"c":-3}}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value["a"] == [1, 2.5, "x", true, nil])
        #expect(value["b"]?["c"] == .int(-3))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(value), as: UTF8.self) == text)
    }

    @Test func filesNeedUploadBeforeEncoding() throws {
        struct Body: Encodable { var image_url: FalFile }
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(Body(image_url: .data(Data([1, 2])))) }
        let collector = FileUploadCollector()
        let encoder = JSONEncoder()
        encoder.userInfo[FileUploadCollector.userInfoKey] = collector
        let json = String(decoding: try encoder.encode(Body(image_url: .data(Data([1, 2])))), as: UTF8.self)
        #expect(json.contains("fal-pending-upload:\\/\\/0") || json.contains("fal-pending-upload://0"))
        #expect(collector.pending.count == 1)
        #expect(String(decoding: try JSONEncoder().encode(Body(image_url: "https://x/y.png")), as: UTF8.self).contains("https"))
    }
}

@Suite struct QuoteTests {
    @Test func quotesAsJSONStringLiterals() {
        #expect(Rule.quote("a\"b\\c\nd") == #""a\"b\\c\nd""#)
        #expect(Rule.quote("tab\there\u{01}\r") == #""tab\there\u0001\r""#)
        #expect(JSONValue.object(["k\t": .string("\u{0C}")]).compactText == #"{"k\t":"\f"}"#)
    }
}
