import Foundation
import PackagePlugin

/// Generates typed fal endpoints at build time from the OpenAPI documents in a target's `fal-openapi/` folder.
///
/// One build command covers the target: its inputs are the documents and their overlays
/// (`fal-openapi/overlays/<document>.overlay.json`), its outputs one `<document>.swift` per document plus
/// `FalCodegen_Endpoints.swift` and `FalCodegen_Exports.swift`, all in the plugin's work directory. Because
/// inputs and outputs are declared, a build with no changed document runs nothing, and `fal-codegen` only
/// rewrites files whose text changed, so only those are recompiled. Declaring the documents as inputs is also
/// what keeps SwiftPM from warning about them as unhandled files.
@main
struct FalCodegenPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else {
            Diagnostics.error("FalCodegenPlugin applies to source targets; \(target.name) is not one")
            return []
        }
        let documentsDirectory = target.directoryURL.appending(path: "fal-openapi")
        guard let layout = DocumentLayout(documentsDirectory) else {
            Diagnostics.error("\(target.name) uses FalCodegenPlugin but has no fal OpenAPI documents in \(documentsDirectory.path): add one with `swift package --allow-network-connections all --allow-writing-to-package-directory fal-codegen fetch <endpoint id> --target \(target.name)`")
            return []
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedSources")
        var arguments = ["generate", "--names-from-documents", "--output", output.path]
        if !layout.overlays.isEmpty { arguments += ["--overlays", layout.overlaysDirectory.path] }
        if let lock = layout.lock { arguments += ["--lock", lock.path] }
        arguments += layout.documents.map(\.path)
        let outputs = layout.documents.map { output.appending(path: $0.deletingPathExtension().lastPathComponent + ".swift") }
            + ["FalCodegen_Endpoints.swift", "FalCodegen_Exports.swift"].map { output.appending(path: $0) }
        return [.buildCommand(
            displayName: "Generating \(layout.documents.count) fal endpoint(s) for \(target.name)",
            executable: try context.tool(named: "fal-codegen").url,
            arguments: arguments,
            inputFiles: layout.documents + layout.overlays + (layout.lock.map { [$0] } ?? []),
            outputFiles: outputs)]
    }
}

/// `fal-openapi/*.json` (documents) and `fal-openapi/overlays/*.overlay.json`, in name order, and the names lock
/// `fal-codegen update` keeps there (`fal-codegen.lock`), so the build keeps the Swift names fal's renames would move.
struct DocumentLayout {
    var documents: [URL]
    var overlaysDirectory: URL
    var overlays: [URL]
    var lock: URL?

    init?(_ directory: URL) {
        func jsonFiles(_ folder: URL, suffix: String) -> [URL] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.filter { $0.hasSuffix(suffix) }.sorted().map { folder.appending(path: $0) }
        }
        documents = jsonFiles(directory, suffix: ".json").filter { !$0.lastPathComponent.hasSuffix(".overlay.json") }
        overlaysDirectory = directory.appending(path: "overlays")
        overlays = jsonFiles(overlaysDirectory, suffix: ".overlay.json")
        let lockFile = directory.appending(path: "fal-codegen.lock")
        lock = FileManager.default.fileExists(atPath: lockFile.path) ? lockFile : nil
        if documents.isEmpty { return nil }
    }
}
