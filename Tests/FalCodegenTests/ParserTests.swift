import Foundation
import Testing
@testable import FalCodegen

@Suite struct ParserTests {
    private func load(_ text: String, name: String = "doc.json", overlays: [Overlay] = []) throws(CodegenError) -> LoadedDocument {
        try DocumentLoader.load(data: Data(text.utf8), name: name, overlays: overlays)
    }

    /// A minimal fal-shaped document around an Input schema.
    static func document(input: String, version: String = "3.0.4", extraSchemas: String = "") -> String {
        """
        {"openapi": "\(version)", "info": {"title": "t", "version": "1", "x-fal-metadata": {"endpointId": "test/doc"}},
         "components": {"schemas": {"Input": \(input)\(extraSchemas.isEmpty ? "" : ", " + extraSchemas)}},
         "paths": {"/test/doc": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Input"}}}},
                                          "responses": {"200": {"description": "queued"}}}}}}
        """
    }

    @Test func readsOrderedJSONExactly() throws {
        let tree = try OrderedJSONReader.read(Array(#"{"b":1,"a":[true,null,-2.5e3,"\u00e9\ud83d\ude80\n"],"c":{}}"#.utf8))
        #expect(tree.members?.map(\.key) == ["b", "a", "c"])
        #expect(tree["a"]?.items?[2] == .number("-2.5e3"))
        #expect(tree["a"]?.items?[3] == .string("é🚀\n"))
        #expect(tree.serialized() == #"{"b":1,"a":[true,null,-2.5e3,"é🚀\n"],"c":{}}"#)
        #expect(tree.serialized(sortedKeys: true, indent: 2).hasPrefix("{\n  \"a\": [\n    true,"))
    }

    @Test func reportsBrokenJSONWithAPosition() {
        #expect(throws: OrderedJSONReader.SyntaxError.self) { try OrderedJSONReader.read(Array(#"{"a":}"#.utf8)) }
        #expect(throws: OrderedJSONReader.SyntaxError.self) { try OrderedJSONReader.read(Array(String(repeating: "[", count: 2000).utf8)) }
        do {
            _ = try load("{\"openapi\": \"3.0.4\",")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "doc.json")
            #expect(error.message.contains("invalid JSON at byte"))
        }
    }

    @Test func fal304DocumentsDecodeThroughTheVersionMap() throws {
        let endpoint = try load(Self.document(input: #"{"type":"object","properties":{"a":{"anyOf":[{"type":"integer","exclusiveMinimum":0},{"type":"null"}],"examples":[1]}}}"#)).endpoint
        #expect(endpoint.id == "test/doc")
        guard case .object(let object) = endpoint.resolve(endpoint.input!).kind else { Issue.record("not an object"); return }
        let a = try #require(object.property("a"))
        #expect(a.meta.nullable)
        #expect(a.meta.examples == [1])
        guard case .integer(let constraints) = a.kind else { Issue.record("a is \(a.kind)"); return }
        #expect(constraints.exclusiveMinimum == 0)
    }

    @Test func invalidDocumentsNameFileAndPath() {
        #expect(throws: CodegenError.self) { try load(#"{"info": {}}"#) }
        do {
            _ = try load(Self.document(input: "{}", version: "2.0"))
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "$.openapi")
            #expect(error.description.hasPrefix("error: doc.json at $.openapi: invalid OpenAPI 2.0 document"))
        }
        do {
            _ = try load(#"{"openapi":"3.0.4","info":{"title":"t","version":"1"},"paths":{"/x":{"post":{"requestBody":"nope","responses":{}}}}}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.path.hasPrefix("$.paths"), "\(error)")
        }
    }

    @Test func overlaysUpdateTheirTargetAndRejectMissingOnes() throws {
        let overlayJSON = try OrderedJSONReader.read(Array(#"""
            {"overlay":"1.0.0","actions":[{"target":"$.components.schemas.Input.properties['w']","update":{"multipleOf":8}}]}
            """#.utf8))
        let overlay = try Overlay(json: overlayJSON, source: "o.json")
        let endpoint = try load(Self.document(input: #"{"type":"object","properties":{"w":{"type":"integer"}}}"#), overlays: [overlay]).endpoint
        guard case .object(let object) = endpoint.resolve(endpoint.input!).kind, case .integer(let c)? = object.property("w")?.kind else {
            Issue.record("unexpected shape"); return
        }
        #expect(c.multipleOf == 8)
        #expect(throws: CodegenError.self) { try load(Self.document(input: #"{"type":"object"}"#), overlays: [overlay]) }
        let wildcard = try OrderedJSONReader.read(Array(#"{"overlay":"1.0.0","actions":[{"target":"$..x","update":{}}]}"#.utf8))
        #expect(throws: CodegenError.self) { try Overlay(json: wildcard, source: "o.json").apply(to: .object([]), documentName: "d") }
    }

    // Regression (OpenAPIMutation): an overlay target `$[']components` trapped. The step's closing `']` was searched
    // from the opening `['`, found sharing its quote, and the name's range ran backwards. Now such a step is
    // unterminated (a diagnostic naming the action), and `$['']` still names the empty member.
    @Test(arguments: ["$[']components", "$[']", "$.info[']", "$['a']['"])
    func overlayTargetWithSharedQuoteIsRefused(_ target: String) throws {
        let overlayJSON = try OrderedJSONReader.read(Array(#"{"overlay":"1.0.0","actions":[{"target":"\#(target)","update":"0abc"}]}"#.utf8))
        let overlay = try Overlay(json: overlayJSON, source: "o.json")
        let error = #expect(throws: CodegenError.self) { try load(Self.document(input: #"{"type":"object"}"#), overlays: [overlay]) }
        #expect(error?.path == "$.actions[0].target" && error?.message.contains("unterminated") == true, "\(String(describing: error))")
        #expect(try Overlay.parse(target: "$['']['a']", source: "o.json", position: 0) == ["", "a"])
    }
}
