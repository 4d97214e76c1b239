import CorpusFixtures
import Foundation
import Testing

/// `Tests/Fixtures/openapi/test__hostile.json`: keywords and digits-first names, names that collide after
/// camel-casing, `*/` and `"""` in descriptions, 12 levels of nesting and recursive `$ref`s. That this
/// file compiles is the main check; these tests make sure the generated code also behaves.
@Suite struct HostileSchemaTests {
    private func deep(_ leaf: Int) -> TestHostile.Deep {
        .init(level11: .init(level10: .init(level9: .init(level8: .init(level7: .init(level6: .init(level5: .init(
            level4: .init(level3: .init(level2: .init(level1: .init(level0: leaf))))))))))))
    }

    @Test func keywordAndCollidingNamesKeepFalKeys() throws {
        let input = TestHostile.Input(default: "d", _3dModel: "abc", nullableRequired: nil, deep: deep(3), class: 2, self_: true, protocol: "p",
                                      imageURL: "https://x/a.png", imageURL2: "b", imageURL3: "c", mode: .unknown2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(input), as: UTF8.self)
        #expect(text.hasPrefix(#"{"3d_model":"abc","Protocol":"p","class":2,"deep":{"level_11":"#))
        #expect(text.contains(#""default":"d","image-url":"c","imageUrl":"b","image_url":"https://x/a.png","mode":"unknown","nullable_required":null,"self":true}"#))
        #expect(input.validationIssues().isEmpty)
        let decoded = try JSONDecoder().decode(TestHostile.Input.self, from: Data(text.utf8))
        #expect(decoded == input)
    }

    @Test func constraintsDeepInsideAreCheckedWithTheirPath() {
        var input = TestHostile.Input(default: "d", _3dModel: "ABC", nullableRequired: 6, deep: deep(10), path: "long", issues: ["a", "a", "abc"],
                                      value0: 10.25, constant: "other", mixed: .int(2), map: ["k": .init(text: "t")])
        input.cycle = .init(b: .init(a: nil, depth: 4))
        #expect(input.validationIssues().map(\.description) == [
            #"3d_model: "ABC" does not match pattern ^[a-z"\\]+$"#,
            "path: length 4 exceeds maximum length 3",
            "issues: has duplicate item at index 1",
            "issues[2]: length 3 exceeds maximum length 2",
            "value0: 10.25 must be less than 10",
            "value0: 10.25 is not a multiple of 0.5",
            #"constant: "other" is not the constant "fixed""#,
            #"mixed: 2 is not one of "a", 1, true"#,
            "nullable_required: 6 exceeds maximum 5",
            "deep.level_11.level_10.level_9.level_8.level_7.level_6.level_5.level_4.level_3.level_2.level_1.level_0: 10 exceeds maximum 9",
            "cycle.b.depth: 4 exceeds maximum 3",
        ])
    }

    @Test func outputToleratesValuesAddedLater() throws {
        let body = #"{"shared_mode":"auto","status":"PAUSED","size":[1,2],"tree":{"name":"root","children":[{"name":"leaf"}],"parent":{"name":"up"}}}"#
        let output = try JSONDecoder().decode(TestHostile.Output.self, from: Data(body.utf8))
        #expect(output.sharedMode == .unknown("auto"))
        #expect(output.status == .unknown("PAUSED"))
        #expect(output.size == .other([1, 2]))
        #expect(output.tree?.children?.first?.name == "leaf")
        #expect(output.tree?.parent?.value.name == "up", "a direct self-reference is boxed, still typed")
        #expect(output.validationIssues().map(\.description) == [
            #"shared_mode: "auto" is not one of "on", "off""#,
            #"status: "PAUSED" is not one of "OK", "FAILED""#,
        ])
        let known = try JSONDecoder().decode(TestHostile.Output.self, from: Data(#"{"shared_mode":"on","size":"large"}"#.utf8))
        #expect(known.sharedMode == .on)
        #expect(known.size == .large)
    }

    @Test func inputEnumsAndUnionsAreStrict() throws {
        let valid = TestHostile.Input(default: "d", _3dModel: "a", nullableRequired: 1, deep: deep(1), mode: .unknown2)
        let text = String(decoding: try JSONEncoder().encode(valid), as: UTF8.self)
        #expect(try JSONDecoder().decode(TestHostile.Input.self, from: Data(text.utf8)) == valid)
        let bad = text.replacingOccurrences(of: #""mode":"unknown""#, with: #""mode":"zzz""#)
        #expect(bad != text)
        let error = try #require(throws: DecodingError.self) { try JSONDecoder().decode(TestHostile.Input.self, from: Data(bad.utf8)) }
        guard case .dataCorrupted(let context) = error else { Issue.record("unexpected \(error)"); return }
        #expect(context.codingPath.map(\.stringValue) == ["mode"])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TestHostile.Either.self, from: Data("{}".utf8)) }
    }

    @Test func unionsDecodeTheMostSpecificAlternative() throws {
        let decoder = JSONDecoder()
        #expect(try decoder.decode(TestHostile.Either.self, from: Data("3".utf8)) == .integer(3))
        #expect(try decoder.decode(TestHostile.Either.self, from: Data("3.5".utf8)) == .number(3.5))
        #expect(try decoder.decode(TestHostile.Either.self, from: Data("true".utf8)) == .boolean(true))
        #expect(try decoder.decode(TestHostile.Either.self, from: Data(#""x""#.utf8)) == .string("x"))
        #expect(try decoder.decode(TestHostile.Either.self, from: Data(#"["x"]"#.utf8)) == .stringArray(["x"]))
    }
}
