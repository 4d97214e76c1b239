import ArgumentParser
import FalCodegen
import Foundation

struct Platform: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate FalRuntime's typed client for a group of fal's Platform API (api.fal.ai/v1) from its OpenAPI document.",
        discussion: """
            One Swift file per operation tagged TAG (FalPlatform+<Operation>.swift), extending `FalPlatform`. \
            `make generate` runs it for the Models group; `make check` runs it with --check.
            """)

    @Option(help: "The group of operations (the document's tag): Models, Assets, Storage, …")
    var tag = "Models"

    @Option(help: "fal's Platform API document.")
    var document = "schemas/platform/openapi.json"

    @Option(help: "Directory the Swift files are written to.")
    var output = "Runtime/FalRuntime/Platform/Generated"

    @Flag(help: "Write nothing; list the files that would change and exit 1 if any would.")
    var check = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: document) else {
            FileHandle.standardError.write(Data("error: cannot read \(document)\n".utf8))
            throw ExitCode(1)
        }
        let files: [GeneratedFile]
        do { files = try PlatformGenerator.generate(document: Array(data), file: document, tag: tag) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        if let skipped = try? PlatformGenerator.skipped(document: Array(data), file: document, tag: tag) {
            for operation in skipped { FileHandle.standardError.write(Data("note: not generated: \(operation)\n".utf8)) }
        }
        let directory = OutputDirectory(path: output)
        let plan = directory.plan(for: files)
        if check {
            for change in plan.changes { print("would \(change.kind): \((output as NSString).appendingPathComponent(change.name))") }
            if !plan.changes.isEmpty || !plan.foreign.isEmpty { throw ExitCode(1) }
            print("\(files.count) files up to date in \(output)")
            return
        }
        do { try directory.apply(plan, files: files) } catch {
            FileHandle.standardError.write(Data("error: \(output): \(error)\n".utf8))
            throw ExitCode(1)
        }
        print("generated \(files.count) \(tag) operations into \(output) (\(plan.changes.count) files changed)")
    }
}
