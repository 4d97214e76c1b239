import ArgumentParser
import FalCodegen
import Foundation

@main
struct FalCodegenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fal-codegen",
        abstract: "Generates typed, validated Swift for fal endpoints from their OpenAPI documents.",
        subcommands: [Generate.self, Fetch.self, Update.self, Diff.self, Platform.self, Search.self, Add.self])
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate one Swift file per endpoint (plus Exports.swift).")

    @Option(help: "Directory the Swift files are written to.")
    var output = "Generated/FalSDK"

    @Option(help: "Directory of OpenAPI Overlay files (<document>.overlay.json) applied before generation.")
    var overlays: String?

    @Flag(help: "Write nothing; list the files that would change and exit 1 if any would.")
    var check = false

    @Flag(help: "Name files after their documents (<document>.swift, FalCodegen_Endpoints.swift, FalCodegen_Exports.swift), as FalCodegenPlugin declares them.")
    var namesFromDocuments = false

    @Option(help: "The names lock to honour (default: \(NamesLock.fileName) in the one input directory, when there).")
    var lock: String?

    @Flag(help: "Record the names chosen in the names lock (--lock, or \(NamesLock.fileName) in the one input directory), so later generations keep them.")
    var writeLock = false

    @Argument(help: "Documents or directories of documents.")
    var inputs: [String] = ["schemas"]

    func run() throws {
        let overlaysDirectory = overlays ?? defaultOverlays()
        let lockPath = lock ?? (inputs.count == 1 ? existingDirectory(inputs[0]).map { ($0 as NSString).appendingPathComponent(NamesLock.fileName) } : nil)
        if writeLock, lockPath == nil { throw ValidationError("--write-lock needs --lock FILE when the inputs are not one directory") }
        let result: GenerationResult
        let names: NamesLock?
        do {
            names = try lockPath.flatMap(NamesLock.read)
            result = try Generator.generate(
                documents: inputs, overlaysDirectory: overlaysDirectory, fileNaming: namesFromDocuments ? .document : .typeName, lock: names)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        for diagnostic in result.diagnostics { FileHandle.standardError.write(Data("\(diagnostic)\n".utf8)) }
        let plan = OutputDirectory(path: output).plan(for: result.files)
        let changes = plan.changes
        if check {
            for change in changes { print("would \(change.kind): \((output as NSString).appendingPathComponent(change.name))") }
            for name in plan.foreign { print("cannot write: \((output as NSString).appendingPathComponent(name)) (not written by fal-codegen)") }
            if !changes.isEmpty || !plan.foreign.isEmpty { throw ExitCode(1) }
            print("\(result.files.count) files up to date in \(output)")
            return
        }
        do { try OutputDirectory(path: output).apply(plan, files: result.files) } catch let failure as OutputDirectory.Failure {
            FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("error: \(output): \(error.localizedDescription)\n".utf8))
            throw ExitCode(1)
        }
        print("generated \(result.files.count - 2) endpoints into \(output) (\(changes.count) files changed)")
        if writeLock, let lockPath {
            let text = (names ?? NamesLock()).merging(result.names).serialized
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: lockPath)) } catch {
                FileHandle.standardError.write(Data("error: \(lockPath): \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    /// `schemas/overlays` next to a single input directory, when present and not given explicitly.
    private func defaultOverlays() -> String? {
        guard inputs.count == 1 else { return nil }
        return existingDirectory((inputs[0] as NSString).appendingPathComponent("overlays"))
    }
}

/// `path` when it names a directory, else nil.
func existingDirectory(_ path: String) -> String? {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? path : nil
}
