import FalCore
import Foundation
import Testing

/// `fal-codegen fetch --base-url` against the emulator downloads the same documents the emulator loaded.
@Suite struct CodegenFetchTests {
    @Test func fetchDownloadsTheServedDocument() async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("fal-codegen")
        #expect(FileManager.default.isExecutableFile(atPath: binary.path), "build fal-codegen first (swift build --build-tests builds it)")
        let into = FileManager.default.temporaryDirectory.appendingPathComponent("fetch-\(UUID().uuidString)")
        try await EmulatorFixture.with { _, base in
            let (status, output) = try await Subprocess.run(
                [binary.path, "fetch", "fal-ai/illusion-diffusion", "--base-url", base + "/", "--into", into.path], timeout: .seconds(60))
            #expect(status == 0, "fal-codegen fetch failed: \(output)")
            let fetched = try Data(contentsOf: into.appendingPathComponent("fal-ai__illusion-diffusion.json"))
            let original = try Data(contentsOf: EmulatorFixture.schemas.appendingPathComponent("fal-ai__illusion-diffusion.json"))
            #expect(try JSONDecoder().decode(JSONValue.self, from: fetched) == JSONDecoder().decode(JSONValue.self, from: original))
        }
        try? FileManager.default.removeItem(at: into)
    }
}
