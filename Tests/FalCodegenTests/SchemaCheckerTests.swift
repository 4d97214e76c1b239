import Foundation
import Testing
@testable import FalCodegen

/// Malformed schemas are refused by `SchemaChecker` and malformed document structure by `DocumentChecker`,
/// each with the path and the rule; well-formed ones, used or not, still load.
@Suite struct SchemaCheckerTests {
    private func load(_ text: String) throws(CodegenError) -> LoadedDocument {
        try DocumentLoader.load(data: Data(text.utf8), name: "doc.json")
    }

    /// An Input whose property `x` has `schema`.
    private func property(_ schema: String) -> String {
        ParserTests.document(input: #"{"type":"object","properties":{"x":\#(schema)}}"#)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var schema: String
        /// After `$.components.schemas.Input.properties.x`.
        var path: String
        var message: String
        var testDescription: String { schema }
    }

    static let malformed: [Case] = [
        Case(schema: #"{"type":"strin"}"#, path: ".type", message: #""strin" is not a JSON Schema type"#),
        Case(schema: #"{"type":5}"#, path: ".type", message: "5 is not a JSON Schema type"),
        Case(schema: #"{"type":["string","nope"]}"#, path: ".type[1]", message: #""nope" is not a JSON Schema type"#),
        Case(schema: #"{"type":["string","string"]}"#, path: ".type[1]", message: #"type "string" is listed twice"#),
        Case(schema: #"{"type":[]}"#, path: ".type", message: "expected a type or a non-empty array of types"),
        Case(schema: #"{"anyOf":[{"type":"string"}],"type":"strin"}"#, path: ".type", message: "is not a JSON Schema type"),
        Case(schema: #"{"type":"number","minimum":"1"}"#, path: ".minimum", message: "expected a number, found a string"),
        Case(schema: #"{"type":"string","maximum":true}"#, path: ".maximum", message: "expected a number, found a boolean"),
        Case(schema: #"{"type":"number","exclusiveMinimum":true}"#, path: ".exclusiveMinimum", message: "expected a number, found a boolean"),
        Case(schema: #"{"type":"integer","minimum":1.5}"#, path: ".minimum", message: "expected an integer (the schema's type is integer), found 1.5"),
        Case(schema: #"{"type":"integer","exclusiveMaximum":1e30}"#, path: ".exclusiveMaximum", message: "expected an integer"),
        Case(schema: #"{"type":"integer","multipleOf":2.5}"#, path: ".multipleOf", message: "expected an integer"),
        Case(schema: #"{"type":"number","multipleOf":0}"#, path: ".multipleOf", message: "must be greater than 0, found 0"),
        Case(schema: #"{"type":"number","multipleOf":-2}"#, path: ".multipleOf", message: "must be greater than 0, found -2"),
        Case(schema: #"{"type":"string","maxLength":"3"}"#, path: ".maxLength", message: #"expected a non-negative integer, found "3""#),
        Case(schema: #"{"type":"string","minLength":3.5}"#, path: ".minLength", message: "expected a non-negative integer, found 3.5"),
        Case(schema: #"{"type":"array","minItems":-1}"#, path: ".minItems", message: "expected a non-negative integer, found -1"),
        Case(schema: #"{"type":"object","maxProperties":"3"}"#, path: ".maxProperties", message: "expected a non-negative integer"),
        Case(schema: #"{"type":"string","pattern":5}"#, path: ".pattern", message: "expected a string, found a number"),
        Case(schema: #"{"type":"string","format":5}"#, path: ".format", message: "expected a string, found a number"),
        Case(schema: #"{"type":"string","title":[]}"#, path: ".title", message: "expected a string, found an array"),
        Case(schema: #"{"type":"string","description":{}}"#, path: ".description", message: "expected a string, found an object"),
        Case(schema: #"{"$ref":5}"#, path: ".$ref", message: "expected a string, found a number"),
        Case(schema: #"{"type":"object","required":"a"}"#, path: ".required", message: "expected an array of property names, found a string"),
        Case(schema: #"{"type":"object","required":["a",1]}"#, path: ".required[1]", message: "expected a string, found a number"),
        Case(schema: #"{"type":"object","x-fal-order-properties":"a"}"#, path: ".x-fal-order-properties", message: "expected an array of property names"),
        Case(schema: #"{"type":"object","properties":[]}"#, path: ".properties", message: "expected an object of schemas, found an array"),
        Case(schema: #"{"type":"object","properties":{"a b":"c"}}"#, path: ".properties['a b']", message: "expected a schema object, found a string"),
        Case(schema: #"{"type":"object","properties":{"a":{"type":"strin"}}}"#, path: ".properties.a.type", message: "is not a JSON Schema type"),
        Case(schema: #"{"type":"object","additionalProperties":"x"}"#, path: ".additionalProperties", message: "expected a schema object, found a string"),
        Case(schema: #"{"type":"object","patternProperties":{"^a":3}}"#, path: ".patternProperties['^a']", message: "expected a schema object, found a number"),
        Case(schema: #"{"type":"string","$defs":{"a":null}}"#, path: ".$defs.a", message: "expected a schema object, found null"),
        Case(schema: #"{"type":"array","items":"x"}"#, path: ".items", message: "expected a schema object, found a string"),
        Case(schema: #"{"type":"array","items":[{"type":"string"}]}"#, path: ".items", message: "expected a schema object, found an array"),
        Case(schema: #"{"type":"array","prefixItems":{}}"#, path: ".prefixItems", message: "expected a non-empty array of schemas"),
        Case(schema: #"{"type":"array","prefixItems":[{"type":"string"},7]}"#, path: ".prefixItems[1]", message: "expected a schema object, found a number"),
        Case(schema: #"{"type":"array","uniqueItems":"yes"}"#, path: ".uniqueItems", message: "expected true or false, found a string"),
        Case(schema: #"{"anyOf":{"type":"string"}}"#, path: ".anyOf", message: "expected a non-empty array of schemas"),
        Case(schema: #"{"oneOf":[]}"#, path: ".oneOf", message: "expected a non-empty array of schemas"),
        Case(schema: #"{"allOf":[{"type":"string"},"x"]}"#, path: ".allOf[1]", message: "expected a schema object, found a string"),
        Case(schema: #"{"anyOf":[{"type":"object","properties":{"n":{"type":"integer","maximum":"9"}}},{"type":"null"}]}"#,
             path: ".anyOf[0].properties.n.maximum", message: "expected a number, found a string"),
        Case(schema: #"{"type":"string","not":3}"#, path: ".not", message: "expected a schema object, found a number"),
        Case(schema: #"{"enum":"a"}"#, path: ".enum", message: "expected an array of values, found a string"),
        Case(schema: #"{"enum":[]}"#, path: ".enum", message: "expected at least one value"),
        Case(schema: #"{"type":"string","enum":["a",1]}"#, path: ".enum[1]", message: "expected a string (the schema's type is string), found 1"),
        Case(schema: #"{"type":"string","enum":["a",null]}"#, path: ".enum[1]", message: "expected a string (the schema's type is string), found null"),
        Case(schema: #"{"type":"string","const":1}"#, path: ".const", message: "expected a string (the schema's type is string), found 1"),
        Case(schema: #"{"type":"string","deprecated":"yes"}"#, path: ".deprecated", message: "expected true or false, found a string"),
        Case(schema: #"{"type":"string","nullable":1}"#, path: ".nullable", message: "expected true or false, found a number"),
        Case(schema: #"{"type":"string","readOnly":true,"writeOnly":true}"#, path: "", message: "`readOnly` and `writeOnly` cannot both be true"),
        Case(schema: #"{"type":"string","examples":"a"}"#, path: ".examples", message: "expected an array of examples, found a string"),
        Case(schema: #"{"oneOf":[{"type":"string"},{"type":"integer"}],"discriminator":"kind"}"#, path: ".discriminator", message: "expected an object with a string `propertyName`"),
        Case(schema: #"{"oneOf":[{"type":"string"},{"type":"integer"}],"discriminator":{"propertyName":"k","mapping":{"a":1}}}"#,
             path: ".discriminator.mapping.a", message: "expected a string, found a number"),
        Case(schema: #"{"type":"string","externalDocs":{"description":"d"}}"#, path: ".externalDocs", message: "expected an object with a string `url`"),
        Case(schema: #"{"type":"string","xml":3}"#, path: ".xml", message: "expected an object, found a number"),
        Case(schema: "true", path: "", message: "expected a schema object, found a boolean"),
        Case(schema: "null", path: "", message: "expected a schema object, found null"),
        Case(schema: #""string""#, path: "", message: "expected a schema object, found a string"),
    ]

    @Test(arguments: malformed) func malformedKeywordIsAnErrorWithItsPathAndRule(_ malformed: Case) {
        do {
            _ = try load(property(malformed.schema))
            Issue.record("expected an error for \(malformed.schema)")
        } catch {
            #expect(error.file == "doc.json")
            #expect(error.path == "$.components.schemas.Input.properties.x" + malformed.path)
            #expect(error.message.hasPrefix("invalid schema: "), "\(error)")
            #expect(error.message.contains(malformed.message), "\(error)")
        }
    }

    @Test func wellFormedKeywordsLoad() {
        let accepted = [
            #"{"type":"integer","multipleOf":2.0,"minimum":0,"exclusiveMaximum":10.0}"#,
            #"{"type":"string","nullable":true,"enum":["a",null]}"#,
            #"{"type":["string","null"],"enum":["a",null],"const":null}"#,
            #"{"enum":["a",1,null]}"#,
            #"{"type":"number","minimum":-1.5e3,"multipleOf":0.5}"#,
            #"{"type":"object","additionalProperties":false,"properties":{"a b":{},"default":{"default":1}},"required":["a b"]}"#,
            #"{"type":"array","prefixItems":[{"type":"string"}],"items":{"type":"integer"},"minItems":0,"uniqueItems":true}"#,
            ##"{"oneOf":[{"type":"string"},{"type":"integer"}],"discriminator":{"propertyName":"k","mapping":{"a":"#/x"}}}"##,
            ##"{"$ref":"#/components/schemas/Missing","description":"unresolved references stay warnings"}"##,
            #"{"type":"string","examples":["a"],"example":{"any":"value"},"x-fal-anything":[1]}"#,
        ]
        for schema in accepted {
            do { _ = try load(property(schema)) } catch { Issue.record("\(schema) was refused: \(error)") }
        }
    }

    @Test func everySchemaOfTheDocumentIsCheckedUsedOrNot() {
        do {
            _ = try load(ParserTests.document(input: #"{"type":"object"}"#, extraSchemas: #""Unused":{"type":"object","required":[1]}"#))
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "$.components.schemas.Unused.required[0]")
        }
        let parameter = #"""
            {"openapi":"3.0.4","info":{"title":"t","version":"1"},"paths":{"/a":{"post":{
             "parameters":[{"name":"p","in":"query","schema":{"type":"integer","maximum":"9"}}],
             "requestBody":{"content":{"application/json":{"schema":{"type":"object"}}}},"responses":{"200":{"description":"ok"}}}}}}
            """#
        do {
            _ = try load(parameter)
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "$.paths['/a'].post.parameters[0].schema.maximum")
            #expect(error.message == "invalid schema: expected a number, found a string")
        }
        let defaultResponse = #"""
            {"openapi":"3.0.4","info":{"title":"t","version":"1"},"paths":{"/a":{"post":{
             "requestBody":{"content":{"application/json":{"schema":{"type":"object"}}}},
             "responses":{"200":{"description":"ok"},"default":{"description":"e","content":{"application/json":{"schema":{"type":"strin"}}}}}}}}}
            """#
        do {
            _ = try load(defaultResponse)
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "$.paths['/a'].post.responses.default.content['application/json'].schema.type")
        }
    }

    /// A server variable's `default` is required (OpenAPI), not a free-form value like a schema's.
    @Test func serverVariablesKeepTheirRequiredDefault() throws {
        let document = #"""
            {"openapi":"3.0.4","info":{"title":"t","version":"1"},
             "servers":[{"url":"https://{host}/","variables":{"host":{"default":"queue.fal.run"}}}],
             "paths":{"/a":{"post":{"requestBody":{"content":{"application/json":{"schema":{"type":"object"}}}},"responses":{"200":{"description":"ok"}}}}}}
            """#
        #expect(try load(document).endpoint.id == "a")
        do {
            _ = try load(document.replacingOccurrences(of: #"{"default":"queue.fal.run"}"#, with: "{}"))
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "$.servers[0].variables.host.default", "\(error)")
            #expect(error.message == "missing required `default`")
        }
    }

    /// Names that are also keywords stay names: a header called `schema`, a `default` response, a parameter
    /// component called `schema`, a header called `x-request-id`; each is still checked as what it is.
    @Test func namesThatAreKeywordsStayNames() throws {
        let document = #"""
            {"openapi":"3.0.4","info":{"title":"t","version":"1"},
             "components":{"parameters":{"schema":{"name":"s","in":"query","schema":{"type":"string"}}}},
             "paths":{"/a":{"post":{"requestBody":{"content":{"application/json":{"schema":{"type":"object"}}}},
              "responses":{"200":{"description":"ok","headers":{"schema":{"schema":{"type":"string"}},"x-request-id":{"schema":{"type":"string"}}}},
                           "default":{"description":"error"}}}}}}
            """#
        #expect(try load(document).endpoint.id == "a")
        let broken: [(find: String, replace: String, path: String, message: String)] = [
            (#""schema":{"name":"s","in":"query","#, #""schema":{"in":"query","#, "$.components.parameters.schema.name", "missing required `name`"),
            (#""in":"query""#, #""in":"body""#, "$.components.parameters.schema.in", #""body" is not a parameter location (cookie, header, path, query)"#),
            (#""x-request-id":{"schema":{"type":"string"}}"#, #""x-request-id":{"schema":{"type":"strin"}}"#,
             "$.paths['/a'].post.responses['200'].headers.x-request-id.schema.type", #"invalid schema: "strin" is not a JSON Schema type"#),
            (#""default":{"description":"error"}"#, #""default":{}"#, "$.paths['/a'].post.responses.default.description", "missing required `description`"),
        ]
        for change in broken {
            do {
                _ = try load(document.replacingOccurrences(of: change.find, with: change.replace))
                Issue.record("expected an error for \(change.replace)")
            } catch {
                #expect(error.path == change.path, "\(error)")
                #expect(error.message.hasPrefix(change.message), "\(error)")
            }
        }
    }

    /// Structure the generator reads is checked where it is: request bodies, paths, `info`.
    @Test func brokenStructureNamesItsPath() {
        let cases: [(document: String, path: String, message: String)] = [
            (#"{"openapi":"3.0.4","paths":{}}"#, "$.info", "missing required `info`"),
            (#"{"openapi":"3.0.4","info":{"title":"t"},"paths":{}}"#, "$.info.version", "missing required `version`"),
            (#"{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"a":{}}}"#, "$.paths.a", "a path must start with `/`"),
            (#"{"openapi":"3.0.4","info":{"title":"t","version":"1"},"paths":{"/a":{"post":{"requestBody":{}}}}}"#,
             "$.paths['/a'].post.requestBody.content", "missing required `content`"),
            (#"{"openapi":"3.0.4","info":{"title":"t","version":"1"},"paths":{"/a":{"post":{"requestBody":{"$ref":1}}}}}"#,
             "$.paths['/a'].post.requestBody.$ref", "expected a string, found a number"),
            (#"{"openapi":"3.0.4","info":{"title":"t","version":"1"},"paths":[]}"#, "$.paths", "expected an object, found an array"),
        ]
        for item in cases {
            do {
                _ = try load(item.document)
                Issue.record("expected an error for \(item.document)")
            } catch {
                #expect(error.path == item.path, "\(error)")
                #expect(error.message == item.message, "\(error)")
            }
        }
    }
}
