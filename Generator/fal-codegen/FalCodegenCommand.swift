import ArgumentParser
import FalCodegen
import Foundation

@main
struct FalCodegenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fal-codegen",
        abstract: "Generates typed, validated Swift for fal endpoints from their OpenAPI documents.",
        subcommands: [Generate.self, Fetch.self, Update.self, Diff.self])
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

    @Argument(help: "Documents or directories of documents.")
    var inputs: [String] = ["schemas"]

    func run() throws {
        let overlaysDirectory = overlays ?? defaultOverlays()
        let result: GenerationResult
        do {
            result = try Generator.generate(
                documents: inputs, overlaysDirectory: overlaysDirectory, fileNaming: namesFromDocuments ? .document : .typeName)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        for diagnostic in result.diagnostics { FileHandle.standardError.write(Data("\(diagnostic)\n".utf8)) }
        let changes = OutputDirectory(path: output).changes(for: result.files)
        if check {
            for change in changes { print("would \(change.kind): \((output as NSString).appendingPathComponent(change.name))") }
            if !changes.isEmpty { throw ExitCode(1) }
            print("\(result.files.count) files up to date in \(output)")
            return
        }
        do { try OutputDirectory(path: output).apply(changes, files: result.files) } catch {
            FileHandle.standardError.write(Data("error: \(output): \(error.localizedDescription)\n".utf8))
            throw ExitCode(1)
        }
        print("generated \(result.files.count - 2) endpoints into \(output) (\(changes.count) files changed)")
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

/// The `.swift` files of an output directory, compared with what the generator produced.
struct OutputDirectory {
    let path: String

    struct Change {
        enum Kind: String { case create, update, delete }
        var kind: Kind
        var name: String
    }

    func changes(for files: [GeneratedFile]) -> [Change] {
        var changes: [Change] = []
        let existing = Set(((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".swift") })
        for file in files {
            let target = (path as NSString).appendingPathComponent(file.name)
            guard let data = FileManager.default.contents(atPath: target) else {
                changes.append(Change(kind: .create, name: file.name))
                continue
            }
            if data != Data(file.contents.utf8) { changes.append(Change(kind: .update, name: file.name)) }
        }
        let produced = Set(files.map(\.name))
        for stale in existing.subtracting(produced).sorted() { changes.append(Change(kind: .delete, name: stale)) }
        return changes
    }

    /// Writes with one `open(O_CREAT | O_TRUNC)` and `write`. `Data.write(to:)` fsyncs on Linux and
    /// `FileManager.createFile` writes a temporary file and renames it: generated sources need neither
    /// durability nor atomicity, and those were a third of the wall time of generating fal's corpus.
    static func write(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            let reason = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: reason])
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// Applies the changes one file at a time: creating files in one directory from several threads
    /// contends for the directory's lock and costs more CPU time than it saves in wall time.
    func apply(_ changes: [Change], files: [GeneratedFile]) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let contents = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.contents) })
        for change in changes {
            let target = (path as NSString).appendingPathComponent(change.name)
            switch change.kind {
            case .create, .update: try Self.write(contents[change.name]!, to: target)
            case .delete: try FileManager.default.removeItem(atPath: target)
            }
        }
    }
}
