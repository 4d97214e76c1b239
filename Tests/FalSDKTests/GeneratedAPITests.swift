import FalSDK
import Foundation
import Testing

/// The generated API as a Swift caller writes it: initializers with required parameters first, one
/// endpoint's output chained into another's input through the shared file types, defaults as constants,
/// and union decoding errors that say why each alternative failed.
@Suite struct GeneratedAPITests {
    private static let sdxlResult = #"""
        {"images":[{"url":"https://v3.fal.media/a.png","width":1024,"height":768,"content_type":"image/png"}],
         "timings":{"inference":1.5},"seed":7,"has_nsfw_concepts":[false],"prompt":"a cat"}
        """#

    @Test func requiredParametersComeFirst() throws {
        let input = FastSDXLImageToImage.Input(imageURL: "https://example.com/cat.png", prompt: "a cat")
        #expect(input.imageURL == .url("https://example.com/cat.png") && input.prompt == "a cat")
        #expect(input.numInferenceSteps == nil)
    }

    @Test func oneEndpointsOutputChainsIntoAnothersInput() throws {
        let previous = try JSONDecoder().decode(FastSDXLImageToImage.Output.self, from: Data(Self.sdxlResult.utf8))
        let next = IllusionDiffusion.Input(imageURL: FalFile(previous.images[0]), prompt: "a castle made of cats")
        #expect(next.imageURL == .url("https://v3.fal.media/a.png"))
        #expect(previous.images[0].width == 1024 && previous.images[0].contentType == "image/png")
        #expect(previous.hasNSFWConcepts == [false])
        // The same shared type across endpoints: an image from one output is an image of the other.
        let lora: LoraImageToImage.Output = .init(images: previous.images, seed: 1, hasNSFWConcepts: [false])
        #expect(lora.images == previous.images)
    }

    @Test func defaultsAreReadableConstants() {
        #expect(IllusionDiffusion.Input.Defaults.guidanceScale == 7.5)
        #expect(IllusionDiffusion.Input.Defaults.numInferenceSteps == 40)
        #expect(IllusionDiffusion.Input.Defaults.scheduler == .euler)
        #expect(IllusionDiffusion.Input.Defaults.imageSize == .squareHD)
        #expect(IllusionDiffusion.ImageSize.Defaults.width == 512)
    }

    @Test func widthComesBeforeHeight() throws {
        // fast-sdxl's document lists height first; the initializer still reads (width:height:).
        let size = FastSDXLImageToImage.ImageSize(width: 640, height: 480)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(size), as: UTF8.self) == #"{"height":480,"width":640}"#)
    }

    @Test func aURLOrURLsFieldTakesFiles() throws {
        let adapter = LoraImageToImage.IPAdapter(ipAdapterImageURL: .files(["https://x/a.png", .data(Data([1]), contentType: "image/png")]),
                                                 path: "h94/IP-Adapter")
        guard case .files(let files) = adapter.ipAdapterImageURL else { Issue.record("expected files"); return }
        #expect(files.count == 2 && files[0].remoteURL == "https://x/a.png" && files[1].remoteURL == nil)
    }

    @Test func aUnionThatDecodesAsNothingReportsEveryAlternative() throws {
        let body = #"{"image_url":"u","prompt":"p","image_size":{"width":"wide"}}"#
        let error = try #require(throws: DecodingError.self) { try JSONDecoder().decode(IllusionDiffusion.Input.self, from: Data(body.utf8)) }
        guard case .dataCorrupted(let context) = error else { Issue.record("unexpected \(error)"); return }
        let failures = try #require(context.underlyingError as? AlternativeFailures)
        #expect(failures.failures.map(\.alternative) == ["ImageSize"])
        #expect(context.debugDescription.contains("ImageSize: .width:"), "\(context.debugDescription)")
        #expect(context.codingPath.map(\.stringValue) == ["image_size"])
    }
}
