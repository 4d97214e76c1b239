import FalCore
import FalEmulator
import Foundation
import Testing

@Suite struct RunRouteTests {
    @Test func syncRunAnswersWithTheOutput() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.json("POST", "\(base)/run/fal-ai/illusion-diffusion", ["prompt": "p", "image_url": "https://x/y.png", "seed": 11])
            #expect(answer.status == 200)
            #expect(answer.header("x-fal-request-id")?.isEmpty == false)
            #expect(answer.json?["seed"] == 11)
            #expect(answer.json?["image"]?["width"] == 1024)
        }
    }

    @Test func syncRunOfASubpathEndpoint() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.json("POST", "\(base)/run/fal-ai/lora/image-to-image", ["model_name": "m", "prompt": "p", "image_url": "https://x/y.png", "num_images": 2])
            #expect(answer.status == 200)
            #expect(answer.json?["images"]?.arrayValue?.count == 2)
            #expect(answer.json?["has_nsfw_concepts"]?.arrayValue?.count == 2)
        }
    }

    @Test func streamSendsPartialOutputsEndingWithTheFullOutput() async throws {
        let controls = EmulatorControls(latencyMilliseconds: 120, queueDepth: 0, queueStepMilliseconds: 0, logLines: 3)
        try await EmulatorFixture.with(EmulatorFixture.configuration(controls: controls)) { _, base in
            let input: JSONValue = ["prompt": "p", "image_url": "https://x/y.png", "num_images": 3, "seed": 5]
            let stream = try await TestHTTP.json("POST", "\(base)/run/fal-ai/fast-sdxl/image-to-image/stream", input)
            #expect(stream.status == 200)
            let events = TestHTTP.events(stream.body)
            #expect(events.count == 3)
            let counts = events.map { $0["images"]?.arrayValue?.count ?? -1 }
            #expect(counts == [1, 2, 3])
            let full = try await TestHTTP.json("POST", "\(base)/run/fal-ai/fast-sdxl/image-to-image", input)
            #expect(events.last == full.json)
        }
    }

    @Test func runWithAGETIsRefused() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.send("GET", "\(base)/run/fal-ai/illusion-diffusion")
            #expect(answer.status == 405)
        }
    }
}
