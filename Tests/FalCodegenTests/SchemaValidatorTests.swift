import FalCore
import Foundation
import Testing
@testable import FalCodegen

@Suite struct SchemaValidatorTests {
    let illusion: Endpoint
    init() throws { illusion = try Repository.seed("fal-ai__illusion-diffusion") }

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
}
