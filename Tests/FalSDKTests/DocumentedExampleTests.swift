import FalCodegen
import FalSDK
import Foundation
import Testing

/// Every documented input example of the seed documents decodes into the generated Input, passes
/// `validate()` and re-encodes to the same JSON.
@Suite struct DocumentedExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func seedExamplesRoundTrip() throws {
        let loaded = try Generator.load(documents: [Self.root.appendingPathComponent("schemas").path],
                                        overlaysDirectory: Self.root.appendingPathComponent("schemas/overlays").path)
        #expect(loaded.count == 4)
        var checked = 0
        for document in loaded {
            let endpoint = try #require(FalEndpoints.all.first { $0.id == document.endpoint.id })
            let examples = document.endpoint.inputExamples
            #expect(!examples.isEmpty, "\(endpoint.id) documents no input example")
            for example in examples {
                let failure = ExampleRoundTrip.check(endpoint, example)
                #expect(failure == nil, "\(endpoint.id): \(failure ?? "")")
                checked += 1
            }
        }
        #expect(checked >= 4)
    }
}

/// Decode → validate → encode → compare, for any generated endpoint.
enum ExampleRoundTrip {
    /// nil when the example round-trips; otherwise what went wrong.
    static func check(_ endpoint: any FalEndpoint.Type, _ example: JSONValue) -> String? {
        opened(endpoint, example)
    }

    private static func opened<Endpoint: FalEndpoint>(_ endpoint: Endpoint.Type, _ example: JSONValue) -> String? {
        check(Endpoint.Input.self, example)
    }

    private static func check<Input: FalInput>(_ type: Input.Type, _ example: JSONValue) -> String? {
        guard let decodable = type as? any Decodable.Type else { return "Input is not Decodable" }
        do {
            let data = try JSONEncoder().encode(example)
            let decoded = try JSONDecoder().decode(decodable, from: data)
            guard let input = decoded as? Input else { return "decoded to an unexpected type" }
            let issues = input.validationIssues()
            if !issues.isEmpty { return "validate(): " + issues.map(\.description).joined(separator: "; ") }
            let reencoded = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(input))
            if !JSONValue.schemaEqual(reencoded, example) { return "re-encoded \(reencoded.compactText) differs from \(example.compactText)" }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
