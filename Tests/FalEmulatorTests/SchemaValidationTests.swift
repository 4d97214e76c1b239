import FalCodegen
import FalCore
import FalEmulator
import Foundation
import Testing

/// Request bodies are checked by the generator's `SchemaValidator` (overlays applied) and refused in
/// fal's 422 shape; fabricated outputs satisfy the same model's output schemas.
@Suite struct SchemaValidationTests {
    static let badWidth: JSONValue = ["prompt": "p", "image_url": "https://x", "image_size": ["width": 1001, "height": 512]]

    @Test func syncRunRefusesAnInvalidBodyWith422() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.json("POST", "\(base)/run/fal-ai/illusion-diffusion", Self.badWidth)
            #expect(answer.status == 422)
            let detail = try #require(answer.json?["detail"]?.arrayValue)
            #expect(detail.count == 1)
            #expect(detail.first?["loc"] == ["body", "image_size", "width"])
            #expect(detail.first?["msg"] == "1001 is not a multiple of 8")
            #expect(detail.first?["type"] == "multiple_of")
        }
    }

    @Test func missingRequiredFieldsAreAllListed() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.json("POST", "\(base)/run/fal-ai/illusion-diffusion", [:])
            #expect(answer.status == 422)
            let locations = Set(answer.json?["detail"]?.arrayValue?.compactMap { $0["loc"] } ?? [])
            #expect(locations == [["body", "image_url"], ["body", "prompt"]])
            let nested = try await TestHTTP.json("POST", "\(base)/run/fal-ai/lora/image-to-image", ["model_name": "m", "prompt": "p", "loras": [["path": "x", "scale": 9]]])
            #expect(nested.json?["detail"]?.arrayValue?.first?["loc"] == ["body", "loras", 0, "scale"])
        }
    }

    @Test func queuedInvalidRequestCompletesWithTheValidationError() async throws {
        try await EmulatorFixture.with { _, base in
            let submitted = try await EmulatorFixture.submit(base, input: Self.badWidth)
            let statuses = try await EmulatorFixture.pollUntilCompleted(submitted)
            #expect(statuses.last?["error"] == "1001 is not a multiple of 8")
            #expect(statuses.last?["error_type"] == "validation_error")
            let result = try await TestHTTP.send("GET", submitted["response_url"]!.stringValue!)
            #expect(result.status == 422)
            #expect(result.json?["detail"]?.arrayValue?.first?["loc"] == ["body", "image_size", "width"])
        }
    }

    @Test func fabricatedOutputsSatisfyTheOutputSchemas() async throws {
        let documents = try Generator.load(documents: [EmulatorFixture.schemas.path], overlaysDirectory: EmulatorFixture.schemas.appendingPathComponent("overlays").path)
        #expect(documents.count == 4)
        try await EmulatorFixture.with { _, base in
            for document in documents {
                let validator = SchemaValidator(endpoint: document.endpoint)
                let examples = document.endpoint.inputExamples
                let inputs = examples.isEmpty ? [JSONValue]() : examples
                #expect(!inputs.isEmpty, "\(document.endpoint.id) has no documented example input")
                for input in inputs {
                    #expect(validator.validateInput(input).isEmpty, "example input of \(document.endpoint.id) is invalid")
                    let answer = try await TestHTTP.json("POST", "\(base)/run/\(document.endpoint.id)", input)
                    #expect(answer.status == 200, "\(document.endpoint.id): \(answer.text)")
                    let output = try #require(answer.json)
                    let issues = validator.validateOutput(output)
                    #expect(issues.isEmpty, "\(document.endpoint.id) output: \(issues)")
                }
            }
        }
    }
}
