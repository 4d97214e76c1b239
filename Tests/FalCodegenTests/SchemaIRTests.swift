import Foundation
import Testing
@testable import FalCodegen

@Suite struct SchemaIRTests {
    private func input(_ schema: String, extra: String = "") throws -> (Endpoint, ObjectSchema) {
        let endpoint = try DocumentLoader.load(data: Data(ParserTests.document(input: schema, extraSchemas: extra).utf8), name: "doc.json").endpoint
        guard case .object(let object) = endpoint.resolve(endpoint.input!).kind else { throw CodegenError(file: "", path: "", message: "not an object") }
        return (endpoint, object)
    }

    @Test func propertyOrderFollowsFalThenDocument() throws {
        let (_, object) = try input(#"{"type":"object","x-fal-order-properties":["c","a"],"properties":{"a":{},"b":{},"c":{},"z":{}}}"#)
        #expect(object.properties.map(\.name) == ["c", "a", "b", "z"])
    }

    @Test func fileInputsByNameOrExtension() throws {
        let (_, object) = try input(#"""
            {"type":"object","properties":{"image_url":{"type":"string"},"image_urls":{"type":"array","items":{"type":"string"}},
             "mask":{"type":"string","x-fal-file-input":true},"url":{"type":"string"},"seed":{"type":"integer"}}}
            """#)
        #expect(object.properties.map(\.schema.meta.isFileInput) == [true, true, true, false, false])
    }

    @Test func keywordsBecomeKinds() throws {
        let (endpoint, object) = try input(#"""
            {"type":"object","required":["k"],"properties":{
              "k":{"const":"v"}, "n":{"type":"integer","enum":[1,2]}, "m":{"enum":["a",1]}, "s":{"enum":["x",null]},
              "t":{"type":["string","null"],"maxLength":3}, "u":{"anyOf":[{"$ref":"#/components/schemas/P"},{"type":"string","enum":["p"]}]},
              "all":{"allOf":[{"$ref":"#/components/schemas/P"}],"description":"wrapped"},
              "map":{"type":"object","additionalProperties":{"type":"number","minimum":0}},
              "pair":{"type":"array","prefixItems":[{"type":"string"}],"items":{"type":"integer"},"maxItems":3}}}
            """#, extra: #""P":{"type":"object","properties":{"w":{"type":"integer"}}}"#)
        func kind(_ name: String) -> Schema.Kind? { object.property(name)?.kind }
        #expect(kind("k") == .constant("v"))
        #expect(kind("n") == .integerEnum([1, 2]))
        #expect(kind("m") == .mixedEnum(["a", 1]))
        #expect(kind("s") == .stringEnum(["x"]))
        #expect(object.property("s")?.meta.nullable == true)
        #expect(object.property("t")?.meta.nullable == true)
        guard case .union(let union)? = kind("u") else { Issue.record("u is not a union"); return }
        #expect(union.alternatives.map(\.kind) == [.reference("P"), .stringEnum(["p"])])
        #expect(kind("all") == .reference("P"))
        #expect(object.property("all")?.meta.description == "wrapped")
        guard case .object(let map)? = kind("map"), case .schema(let value) = map.additionalProperties else { Issue.record("map"); return }
        #expect(map.properties.isEmpty)
        guard case .number(let bound) = value.kind else { Issue.record("map value"); return }
        #expect(bound.minimum == 0)
        guard case .array(let pair)? = kind("pair") else { Issue.record("pair"); return }
        #expect(pair.prefixItems.count == 1 && pair.maxItems == 3)
        #expect(endpoint.componentOrder == ["Input", "P"])
    }

    @Test func openAPI30BooleanExclusiveBoundIsAnErrorWithItsPath() {
        do {
            _ = try input(#"{"type":"object","properties":{"old":{"type":"number","minimum":1,"exclusiveMinimum":true}}}"#)
            Issue.record("expected an error")
        } catch {
            #expect((error as? CodegenError)?.path == "$.components.schemas.Input.properties.old.exclusiveMinimum")
        }
    }

    // The validator's side (an unresolved reference accepts anything) is tested with the emulator's SchemaValidator.
    @Test func unresolvableReferencesWarn() throws {
        let loaded = try DocumentLoader.load(data: Data(ParserTests.document(input: ##"{"$ref":"#/components/schemas/Missing"}"##).utf8), name: "doc.json")
        #expect(loaded.diagnostics.contains { $0.message.contains("cannot resolve #/components/schemas/Missing") })
    }
}
