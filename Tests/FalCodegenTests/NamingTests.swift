import Testing
@testable import FalCodegen

@Suite struct NamingTests {
    @Test func propertiesBecomeLowerCamelWithAcronyms() {
        #expect(SwiftNames.lowerCamel("image_url") == "imageURL")
        #expect(SwiftNames.lowerCamel("num_inference_steps") == "numInferenceSteps")
        #expect(SwiftNames.lowerCamel("loras") == "loras")
        #expect(SwiftNames.lowerCamel("request_id") == "requestID")
        #expect(SwiftNames.lowerCamel("image_urls") == "imageURLs")
        #expect(SwiftNames.lowerCamel("square_hd") == "squareHD")
        #expect(SwiftNames.lowerCamel("DPM++ Karras SDE") == "dpmKarrasSDE")
        #expect(SwiftNames.lowerCamel("portrait_16_9") == "portrait16x9")
        #expect(SwiftNames.lowerCamel("contentType") == "contentType")
    }

    @Test func awkwardNamesStayValidIdentifiers() {
        #expect(SwiftNames.lowerCamel("3d_model") == "_3dModel")
        #expect(SwiftNames.upperCamel("3d-model") == "_3dModel")
        #expect(SwiftNames.lowerCamel("++") == "value")
        #expect(SwiftNames.lowerCamel("größe") == "grE")
        #expect(SwiftNames.lowerCamel("1080p") == "_1080p")
        // Ratios and dimensions read `AxB`; other numbers keep their `_`.
        #expect(SwiftNames.lowerCamel("16:9") == "_16x9")
        #expect(SwiftNames.lowerCamel("9:19.5") == "_9x19_5")
        #expect(SwiftNames.lowerCamel("1024x1024") == "_1024x1024")
        #expect(SwiftNames.lowerCamel("landscape_4_3") == "landscape4x3")
        #expect(SwiftNames.lowerCamel("v1_5") == "v1_5")
        #expect(SwiftNames.lowerCamel("mp3_44100_128") == "mp3_44100_128")
        #expect(SwiftNames.lowerCamel("upscale_1.5x") == "upscale1_5x")
        #expect(SwiftNames.escaped("default") == "`default`")
        #expect(SwiftNames.escaped("self") == "self_")
        #expect(SwiftNames.escaped("type") == "type")
    }

    @Test func typeNamesAreUpperCamel() {
        #expect(SwiftNames.upperCamel("image_size") == "ImageSize")
        #expect(SwiftNames.upperCamel("registry__image__fast_sdxl__models__Image") == "RegistryImageFastSDXLModelsImage")
        #expect(SwiftNames.upperCamel("HTTPServer") == "HTTPServer")
    }

    @Test func collisionsAreNumberedInOrder() {
        var registry = NameRegistry()
        #expect(registry.claim("imageURL") == "imageURL")
        #expect(registry.claim("imageURL") == "imageURL2")
        #expect(registry.claim("imageURL") == "imageURL3")
        #expect(registry.claim("`default`") == "`default`")
        #expect(registry.claim("`default`") == "default2")
    }

    @Test func endpointNamesAreUniqueAcrossASet() {
        let names = EndpointNaming.names(for: ["fal-ai/flux/dev", "fal-ai/flux-dev", "fal-ai/illusion-diffusion", "bria/fibo/generate", "fal-ai/run"])
        #expect(names["fal-ai/illusion-diffusion"]! == ("IllusionDiffusion", "illusionDiffusion"))
        #expect(names["bria/fibo/generate"]!.type == "BriaFiboGenerate")
        #expect(names["fal-ai/flux/dev"]!.type == "Flux_Dev")
        #expect(names["fal-ai/flux-dev"]!.type == "FluxDev")
        #expect(names["fal-ai/run"]!.accessor == "runEndpoint")
        #expect(Set(names.values.map(\.accessor)).count == 5)
    }
}
