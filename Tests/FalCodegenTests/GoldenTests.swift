import Foundation
import Testing
@testable import FalCodegen

/// Regenerating the checked-in sources must reproduce them byte for byte, file for file.
@Suite struct GoldenTests {
    /// With the names lock beside the documents, when there is one, as `make check` (`generate`) reads it.
    private func expectGolden(inputs: String, overlays: String?, output: String) throws {
        let lock = try NamesLock.read(Repository.path(inputs + "/" + NamesLock.fileName))
        let result = try Generator.generate(documents: [Repository.path(inputs)], overlaysDirectory: overlays.map(Repository.path), lock: lock)
        let directory = Repository.path(output)
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(onDisk == result.files.map(\.name).sorted(), "files in \(output) differ from what the generator produces")
        for file in result.files {
            let existing = try String(contentsOfFile: "\(directory)/\(file.name)", encoding: .utf8)
            #expect(existing == file.contents, "\(output)/\(file.name) is stale: run `make generate`")
        }
    }

    @Test func generatedSDKMatchesSchemas() throws {
        try expectGolden(inputs: "schemas", overlays: "schemas/overlays", output: "Generated/FalSDK")
    }

    /// `schemas/fal-codegen.lock` is what `Generated/FalSDK` was generated with: it records exactly the names a
    /// generation with it chooses (none stale, none missing), as `make update` rewrites it.
    @Test func schemasLockIsCurrent() throws {
        let path = Repository.path("schemas/" + NamesLock.fileName)
        let lock = try #require(try NamesLock.read(path))
        let result = try Generator.generate(documents: [Repository.path("schemas")], overlaysDirectory: Repository.path("schemas/overlays"), lock: lock)
        #expect(result.names.serialized == (try String(contentsOfFile: path, encoding: .utf8)),
                "run `fal-codegen generate --write-lock --overlays schemas/overlays --output Generated/FalSDK schemas`")
    }

    @Test func corpusFixturesMatchTheirDocuments() throws {
        try expectGolden(inputs: "Tests/Fixtures/openapi", overlays: nil, output: "Tests/CorpusFixtures")
    }

    @Test func generationIsDeterministic() throws {
        let inputs = [Repository.path("Tests/Fixtures/openapi")]
        let first = try Generator.generate(documents: inputs).files
        let second = try Generator.generate(documents: inputs).files
        #expect(first == second)
    }
}
