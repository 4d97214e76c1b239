import Foundation
import Testing

/// The `fal-codegen` contract as users and CI call it: exit codes, `--check`, diagnostics, `fetch`.
@Suite(.serialized) struct CommandLineTests {
    /// The executable built next to this test bundle (`swift build --build-tests` builds it too).
    static var executable: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("fal-codegen").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Repository.path(".build/debug/fal-codegen")
    }

    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = Repository.root
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self), errors: String(decoding: errData, as: UTF8.self))
    }

    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fal-codegen-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func checkReportsChangesThenPassesAfterGenerate() throws {
        let output = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: output) }
        try Data("stale".utf8).write(to: URL(fileURLWithPath: output + "/Old.swift"))
        let before = try Self.run(["generate", "--check", "--overlays", "schemas/overlays", "--output", output, "schemas"])
        #expect(before.status == 1)
        #expect(before.output.contains("would create: \(output)/IllusionDiffusion.swift"))
        #expect(before.output.contains("would delete: \(output)/Old.swift"))
        #expect(FileManager.default.fileExists(atPath: output + "/Old.swift"), "--check writes nothing")
        let generate = try Self.run(["generate", "--overlays", "schemas/overlays", "--output", output, "schemas"])
        #expect(generate.status == 0, "\(generate.errors)")
        let after = try Self.run(["generate", "--check", "--overlays", "schemas/overlays", "--output", output, "schemas"])
        #expect(after.status == 0)
        let golden = try String(contentsOfFile: Repository.path("Generated/FalSDK/IllusionDiffusion.swift"), encoding: .utf8)
        #expect(try String(contentsOfFile: output + "/IllusionDiffusion.swift", encoding: .utf8) == golden)
    }

    @Test func invalidDocumentIsAnErrorNamingFileAndPath() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(#"{"openapi":"3.0.4","info":{"title":"t","version":"1"},"paths":{"/x":{"post":{"requestBody":"nope","responses":{}}}}}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/bad.json"))
        let result = try Self.run(["generate", "--output", directory + "/out", directory + "/bad.json"])
        #expect(result.status == 1)
        #expect(result.errors.hasPrefix("error: \(directory)/bad.json at $.paths"), "\(result.errors)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/out"))
    }

    @Test func unsupportedConstructIsAWarningAndTheRestIsGenerated() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let document = ParserTests.document(input: #"{"type":"object","properties":{"a":{"type":"string","not":{"const":"x"}},"b":{"type":"integer"}}}"#)
        try Data(document.utf8).write(to: URL(fileURLWithPath: directory + "/doc.json"))
        let result = try Self.run(["generate", "--output", directory + "/out", directory + "/doc.json"])
        #expect(result.status == 0)
        #expect(result.errors.contains("warning: \(directory)/doc.json at $.components.schemas.Input.properties.a.not: `not` is not enforced"))
        #expect(try String(contentsOfFile: directory + "/out/TestDoc.swift", encoding: .utf8).contains("public var b: Int?"))
    }

    @Test func fetchStoresNormalizedDocuments() throws {
        let served = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: served) }
        try FileManager.default.createDirectory(atPath: served + "/api/openapi/queue", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repository.path("schemas/fal-ai__illusion-diffusion.json"), toPath: served + "/api/openapi/queue/openapi.json")
        // A local stand-in for fal.ai: Python's static file handler on 127.0.0.1 (it ignores the query string),
        // answering exactly one request and giving up after 30 s, so nothing outlives the test.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let port = Int.random(in: 20000..<60000)
        let script = """
            import functools, http.server, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
            server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), handler)
            server.timeout = 30
            server.handle_request()
            """
        server.arguments = ["python3", "-c", script, String(port), served]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.interrupt() }; server.waitUntilExit() }
        var result = Run(status: -1, output: "", errors: "")
        for _ in 0..<50 {  // bounded wait for the server to listen
            result = try Self.run(["fetch", "fal-ai/illusion-diffusion", "--base-url", "http://127.0.0.1:\(port)", "--into", served + "/out"])
            if result.status == 0 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(result.status == 0, "\(result.errors)")
        let stored = try String(contentsOfFile: served + "/out/fal-ai__illusion-diffusion.json", encoding: .utf8)
        #expect(stored.hasPrefix("{\n  \"components\": {\n    \"schemas\": {"))
        #expect(stored.hasSuffix("}\n"))
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Repository.path("schemas/fal-ai__illusion-diffusion.json")))) as? NSDictionary
        let roundTripped = try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? NSDictionary
        #expect(original == roundTripped)
    }
}
