import Foundation
import Testing
@testable import FalCodegen

/// The wire layer (`SchemaDiff`): fal's legacy documents against their current twins (expected reports written by reading both
/// documents, `Tests/Fixtures/diff/legacy/*.expected.json`), and one mutation of a fixture per kind of change.
struct ChangeReportTests {
    /// A change without its message, which is prose; kind, side and path are the contract.
    struct Key: Hashable, CustomStringConvertible {
        var kind: String
        var side: String
        var path: String
        var description: String { "\(kind) \(side) \(path.isEmpty ? "(body)" : path)" }
    }

    static func keys(_ report: WireReport) -> Set<Key> {
        Set(report.allChanges.map { Key(kind: $0.kind.rawValue, side: $0.side.rawValue, path: $0.path) })
    }

    // MARK: Legacy pairs

    struct ExpectedReport: Decodable {
        struct Endpoint: Decodable {
            struct Change: Decodable { var kind: String; var side: String; var path: String }
            var id: String
            var changes: [Change]
        }
        var endpoints: [Endpoint]
    }

    @Test(arguments: ["fal-ai__flux-lora", "fal-ai__flux-pro__v1.1", "fal-ai__ideogram__v2"])
    func legacyDocumentAgainstItsCurrentTwin(_ base: String) throws {
        let folder = Repository.path("Tests/Fixtures/diff/legacy")
        let old = try DocumentLoader.load(file: "\(folder)/\(base).legacy.json").endpoint
        let new = try DocumentLoader.load(file: "\(folder)/\(base).json").endpoint
        let expectedData = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(base).expected.json"))
        let expected = try JSONDecoder().decode(ExpectedReport.self, from: expectedData)
        let expectedKeys = Set(expected.endpoints.flatMap(\.changes).map { Key(kind: $0.kind, side: $0.side, path: $0.path) })
        let report = SchemaDiff.compare(old: [old], new: [new])
        #expect(Self.keys(report) == expectedKeys, "\(report.text)")
        #expect(report.endpoints.allSatisfy { $0.id == old.id })
    }

    @Test func symbolsAreSwiftSpellings() throws {
        let folder = Repository.path("Tests/Fixtures/diff/legacy")
        let old = try DocumentLoader.load(file: "\(folder)/fal-ai__flux-pro__v1.1.legacy.json").endpoint
        let new = try DocumentLoader.load(file: "\(folder)/fal-ai__flux-pro__v1.1.json").endpoint
        let change = try #require(SchemaDiff.compare(old: [old], new: [new]).allChanges.first)
        #expect(change.symbol == "FluxProV1_1.Input.enableSafetyChecker")
        #expect(change.message.contains("enableSafetyChecker"))
    }

    // MARK: All nine legacy documents, restyled

    /// Every legacy document of the corpus. Only three have a current twin there (the pairs above); the other six
    /// are the only version of their endpoint id in the corpus, so no newer version can be compared with them.
    static let legacyDocuments = [
        "fal-ai__flux-lora", "fal-ai__flux-pro__v1.1", "fal-ai__ideogram__v2", "fal-ai__flux-pro__v1.1-ultra", "fal-ai__flux__dev",
        "fal-ai__flux__schnell", "fal-ai__ideogram__v2__turbo", "fal-ai__pixverse__v5.6__image-to-video",
        "fal-ai__stable-diffusion-v35-large",
    ]

    /// What fal changed in style between the legacy documents and the current ones (components renamed, `allOf:
    /// [{$ref}]` written as a `$ref` with siblings, titles and examples dropped, members in another order) changes
    /// nothing a Swift caller sees: regenerated with the names lock the legacy generation wrote, as `update` does,
    /// every generated line but the comments is the same (so every public name, initializer and case), and the
    /// report (both layers) says nothing. `make api-digester` holds the same pairs to `swift-api-digester`. The
    /// restyled document is still compared through its renamed references: removing the input's first property is
    /// then the one change.
    @Test(arguments: legacyDocuments)
    func falsNewerStyleChangesNothing(_ base: String) throws {
        let path = Repository.path("Tests/Fixtures/diff/legacy/\(base).legacy.json")
        let tree = try OrderedJSONReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let old = try DocumentLoader.load(tree: tree, name: "\(base).legacy.json").endpoint
        let restyled = LegacyRestyle.document(tree)
        #expect(restyled != tree)
        let new = try DocumentLoader.load(tree: restyled, name: "\(base).restyled.json").endpoint
        let wire = SchemaDiff.compare(old: [old], new: [new])
        #expect(wire.endpoints.isEmpty, "\(wire.text)")

        let before = Generator.generate(endpoints: [old])
        let after = Generator.generate(endpoints: [new], lock: before.names)
        #expect(NamesLockTests.code(after.files) == NamesLockTests.code(before.files))
        #expect(after.names == before.names)
        let report = APIDiff.compare(old: [old], new: [new])
        #expect(report.endpoints.isEmpty, "\(report.text)")

        let (trimmed, removed) = try #require(LegacyRestyle.removingFirstInputProperty(restyled))
        let changed = try DocumentLoader.load(tree: trimmed, name: "\(base).trimmed.json").endpoint
        #expect(Self.keys(SchemaDiff.compare(old: [old], new: [changed])) == [Key(kind: "breaking", side: "input", path: removed)])
        let property = "." + SwiftNames.bare(SwiftNames.escaped(SwiftNames.lowerCamel(removed)))
        #expect(APIDiff.compare(old: [old], new: [changed]).allChanges.contains {
            $0.kind == .sourceBreaking && $0.rule == .removed && $0.symbol.hasSuffix(".Input" + property)
        })
    }

    /// `Tests/Fixtures/diff/restyled/<base>.json` is fal's restyle of each legacy document (`LegacyRestyle`), stored
    /// for `make api-digester`, which compiles both and cannot run test code. `FAL_UPDATE_FIXTURES=1` rewrites them.
    @Test(arguments: legacyDocuments)
    func restyledFixtureIsTheRestyle(_ base: String) throws {
        let legacy = Repository.path("Tests/Fixtures/diff/legacy/\(base).legacy.json")
        let tree = try OrderedJSONReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: legacy))))
        let expected = LegacyRestyle.document(tree).serialized(indent: 2) + "\n"
        let path = Repository.path("Tests/Fixtures/diff/restyled/\(base).json")
        if ProcessInfo.processInfo.environment["FAL_UPDATE_FIXTURES"] == "1" {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(expected.utf8).write(to: URL(fileURLWithPath: path))
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == expected, "run with FAL_UPDATE_FIXTURES=1 to rewrite \(path)")
    }

    // MARK: Mutations of one fixture, one per kind of change

    static let baseInput = """
        {"type": "object", "properties": {
          "seed": {"type": "integer"},
          "prompt": {"type": "string", "description": "The prompt.", "maxLength": 1000},
          "image_size": {"anyOf": [{"$ref": "#/components/schemas/ImageSize"}, {"type": "string", "enum": ["square", "landscape_4_3"]}], "default": "square"},
          "num_inference_steps": {"type": "integer", "minimum": 1, "maximum": 50, "default": 28},
          "loras": {"type": "array", "items": {"$ref": "#/components/schemas/LoraWeight"}, "maxItems": 5},
          "scheduler": {"type": "string", "enum": ["euler", "dpm"]}
        }, "required": ["prompt"]}
        """
    static let baseOutput = """
        {"type": "object", "properties": {
          "images": {"type": "array", "items": {"$ref": "#/components/schemas/Image"}},
          "seed": {"type": "integer", "description": "The seed used."},
          "status": {"type": "string", "enum": ["ok", "filtered"]}
        }, "required": ["images", "seed"]}
        """
    static let baseComponents = """
        "ImageSize": {"type": "object", "properties": {"width": {"type": "integer", "minimum": 64, "maximum": 2048}, "height": {"type": "integer", "minimum": 64, "maximum": 2048}}},
        "LoraWeight": {"type": "object", "properties": {"path": {"type": "string"}, "scale": {"type": "number", "minimum": 0, "maximum": 4}}, "required": ["path"]},
        "Image": {"type": "object", "properties": {"url": {"type": "string"}, "width": {"type": "integer"}}, "required": ["url"]}
        """

    static func document(id: String = "test/doc", input: String = baseInput, output: String = baseOutput,
                         components: String = baseComponents) -> String {
        """
        {"openapi": "3.0.4", "info": {"title": "t", "version": "1", "x-fal-metadata": {"endpointId": "\(id)"}},
         "components": {"schemas": {"Input": \(input), "Output": \(output), \(components)}},
         "paths": {
           "/\(id)": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Input"}}}},
                                "responses": {"200": {"description": "queued"}}}},
           "/\(id)/requests/{request_id}": {"get": {"parameters": [{"name": "request_id", "in": "path", "required": true, "schema": {"type": "string"}}],
             "responses": {"200": {"description": "result", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Output"}}}}}}}}}
        """
    }

    static func endpoint(_ text: String) throws -> Endpoint {
        try DocumentLoader.load(data: Data(text.utf8), name: "doc.json").endpoint
    }

    /// The base document with each `find` replaced by its `replace`; every `find` must occur exactly once.
    static func mutated(_ edits: [(String, String)]) throws -> String {
        var text = document()
        for (find, replace) in edits {
            let occurrences = text.components(separatedBy: find).count - 1
            try #require(occurrences == 1, "`\(find)` occurs \(occurrences) times in the fixture")
            text = text.replacingOccurrences(of: find, with: replace)
        }
        return text
    }

    struct Mutation: CustomTestStringConvertible, Sendable {
        var name: String
        var edits: [(String, String)]
        var expected: Key
        var testDescription: String { name }
    }

    static let mutations: [Mutation] = [
        // Breaking
        .init(name: "input field removed", edits: [(#""seed": {"type": "integer"},"#, "")],
              expected: Key(kind: "breaking", side: "input", path: "seed")),
        .init(name: "new required input field", edits: [(#""seed": {"type": "integer"},"#, #""seed": {"type": "integer"}, "mode": {"type": "string"},"#), (#""required": ["prompt"]"#, #""required": ["prompt", "mode"]"#)],
              expected: Key(kind: "breaking", side: "input", path: "mode")),
        .init(name: "input field optional to required", edits: [(#""required": ["prompt"]"#, #""required": ["prompt", "seed"]"#)],
              expected: Key(kind: "breaking", side: "input", path: "seed")),
        .init(name: "type changed", edits: [(#""seed": {"type": "integer"},"#, #""seed": {"type": "string"},"#)],
              expected: Key(kind: "breaking", side: "input", path: "seed")),
        .init(name: "input enum value removed", edits: [(#""enum": ["euler", "dpm"]"#, #""enum": ["euler"]"#)],
              expected: Key(kind: "breaking", side: "input", path: "scheduler")),
        .init(name: "input maximum narrowed", edits: [(#""maximum": 50"#, #""maximum": 40"#)],
              expected: Key(kind: "breaking", side: "input", path: "num_inference_steps")),
        .init(name: "nested input minimum raised", edits: [(#""width": {"type": "integer", "minimum": 64"#, #""width": {"type": "integer", "minimum": 128"#)],
              expected: Key(kind: "breaking", side: "input", path: "image_size.width")),
        .init(name: "array element range narrowed", edits: [(#""maximum": 4"#, #""maximum": 2"#)],
              expected: Key(kind: "breaking", side: "input", path: "loras[].scale")),
        .init(name: "string length narrowed", edits: [(#""maxLength": 1000"#, #""maxLength": 500"#)],
              expected: Key(kind: "breaking", side: "input", path: "prompt")),
        .init(name: "array length narrowed", edits: [(#""maxItems": 5"#, #""maxItems": 3"#)],
              expected: Key(kind: "breaking", side: "input", path: "loras")),
        .init(name: "multipleOf added", edits: [(#""width": {"type": "integer","#, #""width": {"type": "integer", "multipleOf": 8,"#)],
              expected: Key(kind: "breaking", side: "input", path: "image_size.width")),
        .init(name: "output field removed", edits: [(#""seed": {"type": "integer", "description": "The seed used."},"#, "")],
              expected: Key(kind: "breaking", side: "output", path: "seed")),
        .init(name: "output field required to optional", edits: [(#""required": ["images", "seed"]"#, #""required": ["images"]"#)],
              expected: Key(kind: "breaking", side: "output", path: "seed")),
        .init(name: "output field becomes nullable", edits: [(#""url": {"type": "string"}"#, #""url": {"anyOf": [{"type": "string"}, {"type": "null"}]}"#)],
              expected: Key(kind: "breaking", side: "output", path: "images[].url")),
        .init(name: "output enum value removed", edits: [(#""enum": ["ok", "filtered"]"#, #""enum": ["ok"]"#)],
              expected: Key(kind: "breaking", side: "output", path: "status")),
        // Additive
        .init(name: "new optional input field", edits: [(#""seed": {"type": "integer"},"#, #""seed": {"type": "integer"}, "sync_mode": {"type": "boolean"},"#)],
              expected: Key(kind: "additive", side: "input", path: "sync_mode")),
        .init(name: "input enum value added", edits: [(#""enum": ["euler", "dpm"]"#, #""enum": ["euler", "dpm", "lms"]"#)],
              expected: Key(kind: "additive", side: "input", path: "scheduler")),
        .init(name: "range widened", edits: [(#""maximum": 50"#, #""maximum": 100"#)],
              expected: Key(kind: "additive", side: "input", path: "num_inference_steps")),
        .init(name: "input field no longer required", edits: [(#""required": ["path"]"#, "\"required\": []")],
              expected: Key(kind: "additive", side: "input", path: "loras[].path")),
        .init(name: "output field added", edits: [(#""status": {"type": "string","#, #""timings": {"type": "object"}, "status": {"type": "string","#)],
              expected: Key(kind: "additive", side: "output", path: "timings")),
        .init(name: "output enum value added", edits: [(#""enum": ["ok", "filtered"]"#, #""enum": ["ok", "filtered", "error"]"#)],
              expected: Key(kind: "additive", side: "output", path: "status")),
        .init(name: "union alternative added to an input", edits: [(#"{"type": "string", "enum": ["square", "landscape_4_3"]}]"#, #"{"type": "string", "enum": ["square", "landscape_4_3"]}, {"type": "integer"}]"#)],
              expected: Key(kind: "additive", side: "input", path: "image_size")),
        // Notice
        .init(name: "default changed", edits: [(#""default": 28"#, #""default": 30"#)],
              expected: Key(kind: "notice", side: "input", path: "num_inference_steps")),
        .init(name: "description reworded", edits: [(#""description": "The prompt.""#, #""description": "What to draw.""#)],
              expected: Key(kind: "notice", side: "input", path: "prompt")),
        .init(name: "output field always present", edits: [(#""required": ["images", "seed"]"#, #""required": ["images", "seed", "status"]"#)],
              expected: Key(kind: "notice", side: "output", path: "status")),
    ]

    @Test(arguments: mutations)
    func oneMutationIsReportedAsExactlyOneChange(_ mutation: Mutation) throws {
        let old = try Self.endpoint(Self.document())
        let new = try Self.endpoint(try Self.mutated(mutation.edits))
        let report = SchemaDiff.compare(old: [old], new: [new])
        #expect(Self.keys(report) == [mutation.expected], "\(report.text)")
        #expect(report.hasBreakingChanges == (mutation.expected.kind == "breaking"))
        if let change = report.allChanges.first {
            #expect(!change.message.isEmpty && change.message.hasSuffix("."))
            #expect(change.symbol.hasPrefix("TestDoc.\(mutation.expected.side == "input" ? "Input" : "Output")"))
        }
    }

    @Test func endpointsAddedAndRemovedWhenFoldersAreCompared() throws {
        let kept = try Self.endpoint(Self.document(id: "test/kept"))
        let gone = try Self.endpoint(Self.document(id: "test/gone"))
        let fresh = try Self.endpoint(Self.document(id: "test/fresh"))
        let report = SchemaDiff.compare(old: [kept, gone], new: [fresh, kept])
        #expect(Self.keys(report) == [Key(kind: "breaking", side: "endpoint", path: ""), Key(kind: "additive", side: "endpoint", path: "")])
        #expect(report.endpoints.map(\.id) == ["test/fresh", "test/gone"])
        #expect(report.endpoints[1].changes[0].symbol == "TestGone")
    }

    @Test func identicalAndRenamedComponentsReportNothing() throws {
        let old = try Self.endpoint(Self.document())
        #expect(SchemaDiff.compare(old: [old], new: [old]).endpoints.isEmpty)
        let renamed = Self.document()
            .replacingOccurrences(of: "#/components/schemas/ImageSize", with: "#/components/schemas/registry__ImageSize")
            .replacingOccurrences(of: #""ImageSize": {"#, with: #""registry__ImageSize": {"#)
        #expect(SchemaDiff.compare(old: [old], new: [try Self.endpoint(renamed)]).endpoints.isEmpty)
    }

    @Test func recursiveSchemasEnd() throws {
        let recursive = ##""Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}, "name": {"type": "string"}}}"##
        let input = ##"{"type": "object", "properties": {"tree": {"$ref": "#/components/schemas/Node"}}}"##
        let old = try Self.endpoint(Self.document(input: input, components: Self.baseComponents + ", " + recursive))
        let changed = recursive.replacingOccurrences(of: #""name": {"type": "string"}"#, with: #""name": {"type": "string", "maxLength": 5}"#)
        let new = try Self.endpoint(Self.document(input: input, components: Self.baseComponents + ", " + changed))
        let keys = Self.keys(SchemaDiff.compare(old: [old], new: [new]))
        #expect(keys.contains(Key(kind: "breaking", side: "input", path: "tree.name")))
        #expect(keys.count == 1, "the recursion is visited once: \(keys)")
    }

    @Test func jsonFormatHasTheDocumentedShape() throws {
        let old = try Self.endpoint(Self.document())
        let new = try Self.endpoint(try Self.mutated([(#""maximum": 50"#, #""maximum": 40"#)]))
        let json = APIDiff.compare(old: [old], new: [new]).json
        let parsed = try JSONDecoder().decode(ChangeReport.self, from: Data(json.utf8))
        #expect(parsed.endpoints.count == 1)
        let change = try #require(parsed.endpoints[0].changes.first)
        #expect(change.symbol == "TestDoc.Input.numInferenceSteps" && change.kind == .runtimeBreaking && change.rule == .wire)
        #expect(!parsed.hasSourceBreakingChanges)
        // Members in the documented order.
        let order = ["kind", "side", "declaration", "symbol", "path", "rule", "message"].map { json.range(of: "\"\($0)\"")!.lowerBound }
        #expect(order == order.sorted())
    }
}
