import Foundation
import PackagePlugin

/// `swift package fal-codegen <add|search|fetch|update|diff|generate> … [--target NAME]`: runs the `fal-codegen` CLI
/// with a target's `fal-openapi/` folder as the default place for documents.
///
/// - `add ID…` stores documents in the target's `fal-openapi/` (unless `--output` is given), fetched in one Platform API
///   call per 50 ids.
/// - `search TEXT` prints matching models (nothing is written).
/// - `fetch ID…` stores documents in the target's `fal-openapi/` (unless `--into` is given).
/// - `update [DIR]` re-fetches the target's documents and prints the change report.
/// - `diff OLD NEW` and `generate …` are passed through unchanged.
///
/// Without `--target`, the one target that has a `fal-openapi/` folder is used (for `add` and `fetch`, the one target
/// that lists FalCodegenPlugin, or the only source target).
@main
struct FalCodegenCommand: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var extractor = ArgumentExtractor(arguments)
        let targetNames = extractor.extractOption(named: "target")
        var forwarded = extractor.remainingArguments
        guard let subcommand = forwarded.first else {
            throw PluginFailure("usage: swift package fal-codegen <add|search|fetch|update|diff|generate> … [--target NAME]")
        }
        if ["add", "fetch", "update"].contains(subcommand) {
            let folder = try documentsFolder(context.package, named: targetNames, creating: subcommand != "update")
            if subcommand == "fetch", !forwarded.contains("--into") {
                forwarded += ["--into", folder.path]
            }
            if subcommand == "add", !forwarded.contains("--output") {
                forwarded += ["--output", folder.path]
            }
            if subcommand == "update", positionalArguments(Array(forwarded.dropFirst()), valueOptions: ["--base-url", "--output", "--format"]).isEmpty {
                forwarded.insert(folder.path, at: 1)
            }
        }
        let tool = try context.tool(named: "fal-codegen")
        let process = Process()
        process.executableURL = tool.url
        process.arguments = forwarded
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw PluginFailure("fal-codegen \(subcommand) exited with status \(process.terminationStatus)")
        }
    }

    /// `Sources/<target>/fal-openapi` of the chosen target.
    private func documentsFolder(_ package: Package, named names: [String], creating: Bool) throws -> URL {
        let targets = package.targets.compactMap { $0 as? SourceModuleTarget }
        let chosen: SourceModuleTarget
        if let name = names.first {
            guard let target = targets.first(where: { $0.name == name }) else {
                throw PluginFailure("no source target named \(name) in \(package.displayName)")
            }
            chosen = target
        } else {
            let withDocuments = targets.filter { FileManager.default.fileExists(atPath: $0.directoryURL.appending(path: "fal-openapi").path) }
            let candidates = withDocuments.isEmpty && creating ? targets.filter { $0.kind != .test } : withDocuments
            guard candidates.count == 1, let only = candidates.first else {
                throw PluginFailure("choose the target with --target NAME (candidates: \(candidates.map(\.name).joined(separator: ", ")))")
            }
            chosen = only
        }
        let folder = chosen.directoryURL.appending(path: "fal-openapi")
        if creating { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        return folder
    }

    /// Arguments that are neither options nor option values.
    private func positionalArguments(_ arguments: [String], valueOptions: Set<String>) -> [String] {
        var positional: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            if valueOptions.contains(argument) { skipNext = true; continue }
            if argument.hasPrefix("-") { continue }
            positional.append(argument)
        }
        return positional
    }
}

struct PluginFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
