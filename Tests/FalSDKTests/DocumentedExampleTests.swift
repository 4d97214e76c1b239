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
