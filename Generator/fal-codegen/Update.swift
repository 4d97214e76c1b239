import ArgumentParser
import FalCodegen
import Foundation

struct Update: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-fetch every document in a directory, store it normalized, regenerate, and report what changed.",
        discussion: """
            Each document's endpoint id is read from the document itself (info.x-fal-metadata.endpointId). \
            The documents come from fal's Platform API, 50 per request (`GET /v1/models?endpoint_id=…&expand=openapi-3.0`); \
            an endpoint fal no longer lists is reported as removed and its file is left in place. \
            Overlays in DIR/overlays apply to both versions. The Swift names the current documents get (kept in \
            DIR/\(NamesLock.fileName), read when there) are recorded there again for the new ones, so fal renaming a \
            component or reordering properties renames nothing. With --output, the Swift files are regenerated there \
            (as `generate`); a target using FalCodegenPlugin regenerates on its next build instead. \
            Exit status: 0, or 1 with --fail-on-breaking when anything is source-breaking; 2 when a document cannot be \
            read, fetched or used (nothing is written then).
            """)

    @Argument(help: "Directory of fal OpenAPI documents.")
    var directory = "schemas"

    @Option(help: "fal's origin, or an emulator's (its Platform API is BASE/v1).")
    var baseURL = DocumentFetcher.defaultBaseURL

    @Option(help: "Regenerate Swift into this directory after updating (as `generate --output`).")
    var output: String?

    @OptionGroup var report: ReportOptions

    func run() async throws {
        let overlays = existingDirectory((directory as NSString).appendingPathComponent("overlays"))
        let current: [LoadedDocument]
        let lockedNames: NamesLock?
        do {
            current = try Generator.load(documents: [directory], overlaysDirectory: overlays)
            lockedNames = try NamesLock.read((directory as NSString).appendingPathComponent(NamesLock.fileName))
        } catch {
            throw unusable(error.description)
        }
        let platform: PlatformModels
        do { platform = try PlatformModels(baseURL: baseURL) } catch { throw unusable("error: \(error)") }

        // Fetch everything before writing anything: a failed run leaves the directory as it was. The documents come
        // from the Platform API, 50 per request (`GET /v1/models?endpoint_id=…&expand=openapi-3.0`).
        let answer: (documents: [String: PlatformModels.Document], requests: Int)
        do { answer = try await platform.documents(current.map(\.endpoint.id)) } catch { throw unusable("error: \(error)") }
        var refreshed: [(file: String, text: String)] = []
        var removed: Set<String> = []
        for document in current {
            let id = document.endpoint.id
            switch answer.documents[id] ?? .notFound {
            case .notFound:
                removed.insert(id)
            case .failed(let message):
                throw unusable("error: \(id): fal could not expand its document: \(message)")
            case .found(let tree):
                do { refreshed.append((document.endpoint.source, try DocumentFetcher.normalized(tree, id: id).text)) } catch {
                    throw unusable("error: \(id): \(error)")
                }
            }
        }
        // Every step runs on copies beside the originals; the originals are swapped for them only when all passed,
        // so a failure at any step (an overlay that no longer applies, a file of the user's in --output) leaves
        // both folders as they were.
        let staged: StagedFolder
        do { staged = try StagedFolder(copying: directory) } catch { throw unusable("error: \(directory): \(error)") }
        defer { staged.discard() }
        var written = 0
        for (file, text) in refreshed {
            let target = staged.path((file as NSString).lastPathComponent)
            guard FileManager.default.contents(atPath: target) != Data(text.utf8) else { continue }
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: target)) } catch {
                throw unusable("error: \(file): \(error.localizedDescription)")
            }
            written += 1
        }
        let updated: [LoadedDocument]
        do {
            updated = try Generator.load(documents: [staged.copy], overlaysDirectory: existingDirectory(staged.path("overlays")))
                .map { document in
                    var document = document
                    document.endpoint.source = (directory as NSString).appendingPathComponent((document.endpoint.source as NSString).lastPathComponent)
                    return document
                }
        } catch {
            throw unusable("error: the updated documents do not load (an overlay may no longer apply): \(staged.unstaged(error.description))")
        }
        let served = updated.map(\.endpoint).filter { !removed.contains($0.id) }
        let changeReport = APIDiff.compare(old: current.map(\.endpoint), new: served, lock: lockedNames)
        // The names the current documents have (a lock made by an earlier update, or as generated without one) are
        // the ones the new documents get, and what the lock records from now on.
        let kept = (lockedNames ?? NamesLock()).merging(Generator.names(for: current.map(\.endpoint), lock: lockedNames))
        let newNames = kept.merging(Generator.names(for: served, lock: kept))
        do { try Data(newNames.serialized.utf8).write(to: URL(fileURLWithPath: staged.path(NamesLock.fileName))) } catch {
            throw unusable("error: \(directory)/\(NamesLock.fileName): \(error.localizedDescription)")
        }
        var stagedOutput: StagedFolder?
        defer { stagedOutput?.discard() }
        var outputChanges = 0
        if let output {
            let result = Generator.generate(endpoints: served, lock: kept)
            for diagnostic in updated.flatMap(\.diagnostics) + result.diagnostics {
                FileHandle.standardError.write(Data("\(staged.unstaged(diagnostic.description))\n".utf8))
            }
            do {
                let folder = try StagedFolder(copying: output)
                stagedOutput = folder
                let target = OutputDirectory(path: folder.copy)
                let plan = target.plan(for: result.files)
                guard plan.foreign.isEmpty else { throw OutputDirectory.Failure.foreign(folder: output, names: plan.foreign) }
                try target.apply(plan, files: result.files)
                outputChanges = plan.changes.count
            } catch {
                throw unusable("error: \(output): \(error)")
            }
        }
        do { try StagedFolder.swapIn([staged] + (stagedOutput.map { [$0] } ?? [])) } catch {
            throw unusable("error: \(error)")
        }
        FileHandle.standardError.write(Data("updated \(written) of \(current.count) documents in \(directory) (\(answer.requests) Platform API request(s))\n".utf8))
        if let output { FileHandle.standardError.write(Data("regenerated \(output) (\(outputChanges) files changed)\n".utf8)) }
        try report.emit(changeReport)
    }
}
