import FalCodegen
import FalCore
import Foundation
import Testing
@testable import FalEmulator

/// The emulator's request validator on the seed documents (overlays applied, as the emulator loads them)
/// and on small documents that probe the IR's edge cases.
@Suite struct SchemaValidatorTests {
    let illusion: Endpoint
    init() throws { illusion = try Self.seed("fal-ai__illusion-diffusion") }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A seed document with its overlay applied, as the generator and the emulator see it.
    static func seed(_ baseName: String) throws -> Endpoint {
        let overlayPath = repository.appendingPathComponent("schemas/overlays/\(baseName).overlay.json").path
        var overlays: [Overlay] = []
        if FileManager.default.fileExists(atPath: overlayPath) {
            overlays = [try Overlay(json: OrderedJSONReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: overlayPath)))), source: overlayPath)]
        }
        return try DocumentLoader.load(file: repository.appendingPathComponent("schemas/\(baseName).json").path, overlays: overlays).endpoint
    }

    /// A one-endpoint document whose input is `input`, with `extraSchemas` beside it.
    static func document(input: String, extraSchemas: String = "") -> Data {
        Data("""
        {"openapi": "3.0.4", "info": {"title": "t", "version": "1", "x-fal-metadata": {"endpointId": "test/doc"}},
         "components": {"schemas": {"Input": \(input)\(extraSchemas.isEmpty ? "" : ", " + extraSchemas)}},
         "paths": {"/test/doc": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Input"}}}},
                                          "responses": {"200": {"description": "queued"}}}}}}
        """.utf8)
    }

    private func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    private func issues(_ text: String) throws -> [String] {
        SchemaValidator(endpoint: illusion).validateInput(try json(text)).map(\.description)
    }

    @Test func acceptsAValidRequest() throws {
        #expect(try issues(#"{"image_url":"https://x/y.png","prompt":"a cat","num_inference_steps":80,"image_size":{"width":1000,"height":512}}"#) == [])
        #expect(try issues(#"{"image_url":"u","prompt":"p","image_size":"square_hd","seed":null}"#) == [])
    }

    @Test func boundariesNameFieldAndRule() throws {
        #expect(try issues(#"{"image_url":"u","prompt":"p","num_inference_steps":81}"#) == ["num_inference_steps: 81 exceeds maximum 80"])
        #expect(try issues(#"{"image_url":"u","prompt":"p","image_size":{"width":1001,"height":512}}"#)
            == ["image_size.width: 1001 is not a multiple of 8"])
        #expect(try issues(#"{"image_url":"u","prompt":"p","scheduler":"Foo"}"#)
            == [#"scheduler: "Foo" is not one of "DPM++ Karras SDE", "Euler""#])
        #expect(try issues(#"{"prompt":"p"}"#) == ["image_url: is required"])
        #expect(try issues(#"{"image_url":"u","prompt":"p","guidance_scale":0}"#) == ["guidance_scale: 0 must be greater than 0"])
    }

    @Test func collectsEveryViolation() throws {
        let found = try issues(#"{"prompt":3,"num_inference_steps":2.5,"image_size":"huge","seed":"x"}"#)
        #expect(Set(found) == [
            "image_url: is required",
            "prompt: expected string, got integer",
            "seed: expected integer, got string",
            #"image_size: "huge" is not one of "square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9""#,
            "num_inference_steps: expected integer, got number",
        ])
        #expect(found.count == 5)
    }

    @Test func unionWithNoFittingAlternativeSaysSo() throws {
        #expect(try issues(#"{"image_url":"u","prompt":"p","image_size":7}"#) == ["image_size: integer value matches none of ImageSize | string"])
    }

    @Test func recursiveReferencesStayFinite() throws {
        let endpoint = try DocumentLoader.load(data: Self.document(
            input: ##"{"$ref":"#/components/schemas/Node"}"##,
            extraSchemas: ##""Node":{"type":"object","properties":{"next":{"$ref":"#/components/schemas/Node"}}}"##), name: "doc.json").endpoint
        let validator = SchemaValidator(endpoint: endpoint)
        #expect(validator.validateInput(["next": ["next": ["next": 3]]]).map(\.description) == ["next.next.next: expected object, got integer"])
    }

    @Test func unresolvableReferencesWarnAndAcceptAnything() throws {
        let loaded = try DocumentLoader.load(data: Self.document(input: ##"{"$ref":"#/components/schemas/Missing"}"##), name: "doc.json")
        #expect(loaded.diagnostics.contains { $0.message.contains("cannot resolve #/components/schemas/Missing") })
        #expect(SchemaValidator(endpoint: loaded.endpoint).validateInput(["anything": 1]).isEmpty)
    }
}
