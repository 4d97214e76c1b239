import Foundation
import Testing
@testable import FalCodegen

@Suite struct RenderingTests {
    private func render(_ schema: String, extra: String = "") throws -> (String, [Diagnostic]) {
        let endpoint = try DocumentLoader.load(data: Data(ParserTests.document(input: schema, extraSchemas: extra).utf8), name: "doc.json").endpoint
        let result = Generator.generate(endpoints: [endpoint])
        return (try #require(result.files.first { $0.name == "TestDoc.swift" }).contents, result.diagnostics)
    }

    @Test func literalsAndCommentsAreEscaped() {
        #expect(SwiftSyntax.literal("a\"b\\c\n\u{202E}\u{0}") == #""a\"b\\c\n\u{202E}\0""#)
        #expect(SwiftSyntax.docLines("\n    first */\n      indented\r\n\n\n    last \u{2028}    next\u{7}") == ["first */", "  indented", "", "last", "next"])
        #expect(SwiftSyntax.number(80) == "80")
        #expect(SwiftSyntax.number(0.001) == "0.001")
        #expect(SwiftSyntax.json(["b": 1, "a": [true, nil]]) == #".object(["a": .array([.bool(true), .null]), "b": .int(1)])"#)
    }

    @Test func modelShape() throws {
        let (code, _) = try render(#"""
            {"type":"object","required":["image_url"],"properties":{
              "image_url":{"type":"string","description":"The image. */ ends nothing"},
              "steps":{"type":"integer","minimum":1,"maximum":80,"default":40},
              "scheduler":{"type":"string","enum":["DPM++ 2M","Euler"]}}}
            """#)
        #expect(code.contains("public enum TestDoc: FalEndpoint {\n    public static let id = \"test/doc\""))
        #expect(code.contains("public struct Input: FalInput, Codable, Hashable {"))
        #expect(code.contains("        /// The image. */ ends nothing\n        public var imageURL: FalFile\n"))
        #expect(code.contains("        /// - Default: `40`\n        /// - Constraints: minimum 1, maximum 80\n        public var steps: Int?\n"))
        #expect(code.contains("public init(imageURL: FalFile, steps: Int? = nil, scheduler: Scheduler? = nil)"))
        #expect(code.contains("case imageURL = \"image_url\""))
        #expect(code.contains("Rule.maximum(value0, 80, at: path.key(\"steps\"), into: &issues)"))
        #expect(code.contains("public enum Scheduler: String, Codable, Sendable, Hashable, Validatable, CaseIterable {\n        case dpm2M = \"DPM++ 2M\"\n        case euler = \"Euler\""))
        #expect(code.contains("public var testDoc: EndpointClient<TestDoc> { endpoint(TestDoc.self) }"))
        #expect(!code.contains("\t"))
    }

    @Test func directRecursionIsBoxed() throws {
        let (code, diagnostics) = try render(##"{"$ref":"#/components/schemas/Node"}"##,
            extra: ##""Node":{"type":"object","properties":{"next":{"$ref":"#/components/schemas/Node"},"all":{"type":"array","items":{"$ref":"#/components/schemas/Node"}}}}"##)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(code.contains("public var next: Indirect<Node>?"))
        #expect(code.contains("public var all: [Node]?"))
        #expect(code.contains("public struct Input: FalInput, Codable, Hashable {\n        public var next: Node?"))
    }
}
