import FalSDK
import Foundation
import Testing

/// Boundary checks of the generated `validate()` on the four seed endpoints, with fal's real limits.
@Suite struct SeedValidationTests {
    private func messages(_ value: some Validatable) -> [String] { value.validationIssues().map(\.description) }

    @Test func illusionDiffusionBoundaries() {
        var input = IllusionDiffusion.Input(imageURL: "https://example.com/a.png", prompt: "a cat", numInferenceSteps: 80,
                                            imageSize: .custom(.init(width: 1000, height: 512)))
        #expect(messages(input) == [])
        input.numInferenceSteps = 81
        #expect(messages(input) == ["num_inference_steps: 81 exceeds maximum 80"])
        input.numInferenceSteps = 0
        input.imageSize = .custom(.init(width: 1001, height: 512))
        #expect(messages(input) == ["image_size.width: 1001 is not a multiple of 8"])
        input.imageSize = .landscape16x9
        input.guidanceScale = 0
        #expect(messages(input) == ["guidance_scale: 0 must be greater than 0"])
    }

    @Test func everyViolationIsCollected() throws {
        let input = IllusionDiffusion.Input(imageURL: "u", prompt: "p", guidanceScale: 51, controlGuidanceStart: -0.5,
                                            numInferenceSteps: 81, imageSize: .custom(.init(width: 1001, height: 0)))
        #expect(messages(input) == [
            "guidance_scale: 51 exceeds maximum 50",
            "control_guidance_start: -0.5 is less than minimum 0",
            "num_inference_steps: 81 exceeds maximum 80",
            "image_size.width: 1001 is not a multiple of 8",
            "image_size.height: 0 must be greater than 0",
        ])
        #expect(throws: FalError.self) { try input.validate() }
    }

    @Test func fluxDifferentialDiffusionBoundaries() {
        var input = FluxDifferentialDiffusion.Input(prompt: "p", imageURL: "u", changeMapImageURL: "m", strength: 0.01, numInferenceSteps: 50, numImages: 4)
        #expect(messages(input) == [])
        input.numInferenceSteps = 51
        input.strength = 0.009
        input.numImages = 5
        #expect(messages(input) == [
            "strength: 0.009 is less than minimum 0.01",
            "num_inference_steps: 51 exceeds maximum 50",
            "num_images: 5 exceeds maximum 4",
        ])
    }

    @Test func fastSDXLImageToImageBoundaries() {
        var input = FastSDXLImageToImage.Input(imageURL: "u", prompt: "p", numInferenceSteps: 65, numImages: 8,
                                               imageSize: .custom(.init(width: 1, height: 14142)))
        #expect(messages(input) == [])
        input.numInferenceSteps = 66
        input.imageSize = .custom(.init(width: 0, height: 14143))
        #expect(messages(input) == [
            "num_inference_steps: 66 exceeds maximum 65",
            "image_size.width: 0 must be greater than 0",
            "image_size.height: 14143 exceeds maximum 14142",
        ])
    }

    @Test func loraImageToImageBoundaries() {
        var input = LoraImageToImage.Input(modelName: "stabilityai/stable-diffusion-xl-base-1.0", prompt: "p",
                                           loras: [.init(path: "a", scale: 4)], embeddings: [.init(path: "e")], numInferenceSteps: 150)
        #expect(messages(input) == [])
        input.numInferenceSteps = 151
        input.loras = [.init(path: "a", scale: 1), .init(path: "b", scale: 4.5)]
        input.embeddings = [.init(path: "e"), .init(path: "f")]
        #expect(messages(input) == [
            "loras[1].scale: 4.5 exceeds maximum 4",
            "embeddings: has 2 items, more than maximum 1",
            "num_inference_steps: 151 exceeds maximum 150",
        ])
    }

    @Test func unknownInputEnumValueFailsDecodingAtItsField() throws {
        let body = #"{"image_url":"u","prompt":"p","scheduler":"Foo"}"#
        let error = try #require(throws: DecodingError.self) { try JSONDecoder().decode(IllusionDiffusion.Input.self, from: Data(body.utf8)) }
        guard case .dataCorrupted(let context) = error else { Issue.record("unexpected \(error)"); return }
        #expect(context.codingPath.map(\.stringValue) == ["scheduler"])
        let lora = #"{"model_name":"m","prompt":"p","scheduler":"DPM++ 9M"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LoraImageToImage.Input.self, from: Data(lora.utf8)) }
        let preset = #"{"image_url":"u","prompt":"p","image_size":"huge"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IllusionDiffusion.Input.self, from: Data(preset.utf8)) }
    }

    @Test func missingRequiredFieldFailsDecodingAtItsField() throws {
        let body = #"{"image_url":"u"}"#
        let error = try #require(throws: DecodingError.self) { try JSONDecoder().decode(IllusionDiffusion.Input.self, from: Data(body.utf8)) }
        guard case .keyNotFound(let key, _) = error else { Issue.record("unexpected \(error)"); return }
        #expect(key.stringValue == "prompt")
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(FluxDifferentialDiffusion.Input.self, from: Data(#"{"prompt":"p","image_url":"u"}"#.utf8))
        }
    }

    @Test func encodingUsesFalKeysAndOmitsNil() throws {
        let input = IllusionDiffusion.Input(imageURL: "https://x/y.png", prompt: "p", scheduler: .dpmKarrasSDE, imageSize: .squareHD)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(input), as: UTF8.self)
            == #"{"image_size":"square_hd","image_url":"https://x/y.png","prompt":"p","scheduler":"DPM++ Karras SDE"}"#)
        let custom = IllusionDiffusion.Input(imageURL: "u", prompt: "p", imageSize: .custom(.init(width: 512, height: 768)))
        #expect(String(decoding: try encoder.encode(custom), as: UTF8.self)
            == #"{"image_size":{"height":768,"width":512},"image_url":"u","prompt":"p"}"#)
    }

    @Test func endpointsExposeIDsAndTypedClients() {
        #expect(IllusionDiffusion.id == "fal-ai/illusion-diffusion")
        #expect(LoraImageToImage.id == "fal-ai/lora/image-to-image")
        #expect(FalEndpoints.all.map { $0.id } == [
            "fal-ai/fast-sdxl/image-to-image", "fal-ai/flux-differential-diffusion", "fal-ai/illusion-diffusion", "fal-ai/lora/image-to-image",
        ])
        let client = FalClient()
        #expect(client.illusionDiffusion.id == "fal-ai/illusion-diffusion")
        #expect(client.fastSDXLImageToImage.id == "fal-ai/fast-sdxl/image-to-image")
    }
}
