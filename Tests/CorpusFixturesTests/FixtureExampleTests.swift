import CorpusFixtures
import FalCodegen
import Foundation
import Testing

/// The fixture subset of the corpus: its generated module compiles (it is part of this test build),
/// and every documented input example decodes, validates and re-encodes.
@Suite struct FixtureExampleTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/openapi").path

    @Test func everyFixtureIsGenerated() throws {
        let loaded = try Generator.load(documents: [Self.fixtures])
        #expect(Set(loaded.map(\.endpoint.id)) == Set(FalEndpoints.all.map { $0.id }))
        #expect(loaded.count >= 30)
    }

    @Test func documentedExamplesRoundTrip() throws {
        let loaded = try Generator.load(documents: [Self.fixtures])
        var checked = 0
        for document in loaded {
            let endpoint = try #require(FalEndpoints.all.first { $0.id == document.endpoint.id })
            for example in document.endpoint.inputExamples {
                let failure = ExampleRoundTrip.check(endpoint, example)
                #expect(failure == nil, "\(endpoint.id): \(failure ?? "")")
                checked += 1
            }
        }
        #expect(checked >= 25, "only \(checked) documented examples found")
    }
}
