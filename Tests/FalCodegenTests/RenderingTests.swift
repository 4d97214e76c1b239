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

    /// `.custom(.init())` would send `{}` (nothing custom): a union payload whose fields are all optional
    /// names every argument, so an empty custom value does not compile; other structures keep `= nil`.
    @Test func emptyUnionPayloadDoesNotCompile() throws {
        let (code, diagnostics) = try render(##"""
            {"type":"object","properties":{
              "image_size":{"anyOf":[{"$ref":"#/components/schemas/ImageSize"},{"type":"string","enum":["square","portrait_4_3"]}]},
              "other":{"$ref":"#/components/schemas/Other"}}}
            """##, extra: ##"""
            "ImageSize":{"type":"object","properties":{"width":{"type":"integer","default":512,"multipleOf":8},
              "height":{"type":"integer","default":512}}},
            "Other":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}
            """##)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(code.contains("case custom(ImageSize)"))
        #expect(code.contains("public init(width: Int?, height: Int?) {"))
        #expect(code.contains("public init(a: Int? = nil, b: Int? = nil) {"))
        // The wire format and the checks stay: an explicit `nil` still leaves the key out.
        #expect(code.contains("Rule.multipleOf(value0, 8, at: path.key(\"width\"), into: &issues)"))
    }

    /// Hand-written shape: long parameter lists one per line, no empty `validate`, no pointer boilerplate,
    /// snake_case and Python literals in prose spelled as Swift.
    @Test func readsLikeHandWrittenSwift() throws {
        let (code, _) = try render(##"""
            {"type":"object","required":["prompt"],"description":"Set crop_output to True to crop; see `seed_value`.","properties":{
              "prompt":{"type":"string"},
              "crop_output":{"type":"boolean","description":"If `True`, crops. If None, nothing; see https://x.test/crop_output and crop_output_v."},
              "seed_value":{"type":"integer"},
              "mode":{"type":"string","enum":["a","b"]},
              "strength":{"type":"number"}}}
            """##)
        #expect(code.contains("""
                    public init(
                        prompt: String,
                        cropOutput: Bool? = nil,
                        seedValue: Int? = nil,
                        mode: Mode? = nil,
                        strength: Double? = nil
                    ) {
            """))
        #expect(!code.contains("Generated from"))
        #expect(!code.contains("{}"), "no empty validate(at:into:)")
        #expect(code.contains("/// Set `cropOutput` to `true` to crop; see `seedValue`."))
        #expect(code.contains("/// If `true`, crops. If `nil`, nothing; see https://x.test/crop_output and crop_output_v."))
        #expect(code.contains("Call it with `try await fal.testDoc.subscribe(.init(...))`"))
        #expect(!code.contains(".run("))
    }

    @Test func titlesDoNotRepeatThemselves() {
        #expect(DocComments.titleLike("Image To Image") == "Image To Image")
        #expect(DocComments.titleLike("Generate a video from a text prompt.") == nil)
        #expect(!DocComments.addsWords("Image To Image", to: "Lora Image To Image"))
        #expect(!DocComments.addsWords("Generate", to: "Cogview4"))
        #expect(!DocComments.addsWords("Text To Video V5 6", to: "Pixverse V5 6 Text To Video"))
        #expect(DocComments.addsWords("Remove Background", to: "Bria Video Background Removal V3"))
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
