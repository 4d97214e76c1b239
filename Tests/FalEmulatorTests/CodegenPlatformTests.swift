import FalCore
import FalEmulator
import Foundation
import Testing

/// `fal-codegen search`, `add` and `update` against the emulator's Platform API: documents come inline from one
/// `GET /v1/models?…&expand=openapi-3.0` per 50 ids, stored exactly as `fetch` stores them.
@Suite struct CodegenPlatformTests {
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("fal-codegen").path
    }

    static func modelsRequests(_ emulator: FalEmulator) -> Int {
        emulator.requestLog.entries.filter { $0.path == "/v1/models" }.count
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("platform-cli-\(UUID().uuidString)")
    }

    @Test func addFetchesEveryDocumentInOneRequest() async throws {
        let output = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: output) }
        try await EmulatorFixture.with { emulator, base in
            let ids = ["fal-ai/illusion-diffusion", "fal-ai/lora/image-to-image", "fal-ai/fast-sdxl/image-to-image"]
            let (status, text) = try await Subprocess.run(
                [Self.binary, "add"] + ids + ["--output", output.path, "--base-url", base], timeout: .seconds(60))
            #expect(status == 0, "\(text)")
            #expect(text.contains("3 document(s) in 1 Platform API request(s)"), "\(text)")
            #expect(Self.modelsRequests(emulator) == 1)
            for id in ids {
                let name = id.replacingOccurrences(of: "/", with: "__") + ".json"
                // What `fetch` stores (schemas/ holds fetched documents, saved without the final newline): fal's member
                // order survives the inline expansion.
                let added = try String(contentsOf: output.appendingPathComponent(name), encoding: .utf8)
                let fetched = try String(contentsOf: EmulatorFixture.schemas.appendingPathComponent(name), encoding: .utf8)
                #expect(added == fetched.trimmingCharacters(in: .newlines) + "\n", "\(name)")
            }

            // An unknown id fails the command, naming it, and writes nothing.
            let other = Self.temporaryDirectory()
            let (refused, message) = try await Subprocess.run(
                [Self.binary, "add", "fal-ai/illusion-diffusion", "no/such-model", "--output", other.path, "--base-url", base], timeout: .seconds(60))
            #expect(refused == 1)
            #expect(message.contains("error: no/such-model: no such endpoint") && message.contains("nothing was written"), "\(message)")
            #expect(!FileManager.default.fileExists(atPath: other.path))
        }
    }

    @Test func updateRefreshesAFolderInOneRequest() async throws {
        let folder = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: EmulatorFixture.schemas.path) where name.hasSuffix(".json") {
            try FileManager.default.copyItem(at: EmulatorFixture.schemas.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try await EmulatorFixture.with { emulator, base in
            // The first run normalizes the copies (a final newline); the second finds nothing to change. One request each.
            for run in 1...2 {
                let (status, text) = try await Subprocess.run([Self.binary, "update", folder.path, "--base-url", base], timeout: .seconds(60))
                #expect(status == 0, "\(text)")
                #expect(text.contains("of 4 documents in \(folder.path) (1 Platform API request(s))"), "\(text)")
                if run == 2 { #expect(text.contains("updated 0 of 4"), "\(text)") }
                #expect(text.contains("No changes to the Swift API."), "\(text)")
                #expect(Self.modelsRequests(emulator) == run)
            }
        }
    }

    @Test func searchPrintsATableWithPricesWhenAKeyIsGiven() async throws {
        try await EmulatorFixture.with { _, base in
            let (status, text) = try await Subprocess.run(
                [Self.binary, "search", "diffusion", "--category", "text-to-image", "--base-url", base], timeout: .seconds(60))
            #expect(status == 0, "\(text)")
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("ID") == true && lines.first?.contains("CATEGORY") == true && lines.first?.contains("PRICE") == false)
            #expect(lines.count == 2 && lines[1].hasPrefix("fal-ai/illusion-diffusion") && lines[1].contains("text-to-image  active"), "\(text)")

            let (keyed, priced) = try await Subprocess.run(
                ["FAL_KEY=\(TestHTTP.key)", Self.binary, "search", "--status", "active", "--base-url", base], timeout: .seconds(60))
            #expect(keyed == 0, "\(priced)")
            let rows = priced.split(separator: "\n").map(String.init)
            #expect(rows.first?.hasSuffix("PRICE") == true && rows.count == 5, "\(priced)")
            #expect(rows.dropFirst().allSatisfy { $0.hasSuffix("$0.025/image") }, "\(priced)")

            let (bad, complaint) = try await Subprocess.run([Self.binary, "search", "--status", "gone", "--base-url", base], timeout: .seconds(60))
            #expect(bad != 0 && complaint.contains("--status must be active or deprecated"), "\(complaint)")
        }
    }
}
