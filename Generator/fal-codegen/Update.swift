import ArgumentParser
import FalCodegen
import Foundation

struct Update: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-fetch every document in a directory, store it normalized, regenerate, and report what changed.",
        discussion: """
            Each document's endpoint id is read from the document itself (info.x-fal-metadata.endpointId). \
            An endpoint fal no longer serves (HTTP 404) is reported as removed and its file is left in place. \
            Overlays in DIR/overlays apply to both versions. With --output, the Swift files are regenerated there \
            (as `generate`); a target using FalCodegenPlugin regenerates on its next build instead. \
            Exit status: 0, or 1 with --fail-on-breaking when anything is breaking; 2 when a document cannot be \
            read, fetched or used (nothing is written then).
            """)

    @Argument(help: "Directory of fal OpenAPI documents.")
    var directory = "schemas"

    @Option(help: "fal's web origin (the emulator's base URL in tests).")
    var baseURL = DocumentFetcher.defaultBaseURL

    @Option(help: "Regenerate Swift into this directory after updating (as `generate --output`).")
    var output: String?

    @OptionGroup var report: ReportOptions

    func run() async throws {
        let overlays = existingDirectory((directory as NSString).appendingPathComponent("overlays"))
        let current: [LoadedDocument]
        do { current = try Generator.load(documents: [directory], overlaysDirectory: overlays) } catch {
            throw unusable(error.description)
        }
        let fetcher: DocumentFetcher
        do { fetcher = try DocumentFetcher(baseURL: baseURL) } catch { throw unusable("error: \(error)") }

        // Fetch everything before writing anything: a failed run leaves the directory as it was.
        var refreshed: [(file: String, text: String)] = []
        var removed: Set<String> = []
        for document in current {
            let id = document.endpoint.id
            do {
                let fetched = try await fetcher.fetch(id)
                refreshed.append((document.endpoint.source, fetched.text))
            } catch DocumentFetcher.Failure.notFound {
                removed.insert(id)
            } catch {
                throw unusable("error: \(id): \(error)")
            }
        }
        var written = 0
        for (file, text) in refreshed where FileManager.default.contents(atPath: file) != Data(text.utf8) {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: file)) } catch {
                throw unusable("error: \(file): \(error.localizedDescription)")
            }
            written += 1
        }
        let updated: [LoadedDocument]
        do { updated = try Generator.load(documents: [directory], overlaysDirectory: overlays) } catch {
            throw unusable("error: the updated documents do not load (an overlay may no longer apply): \(error)")
        }
        let changeReport = SchemaDiff.compare(
            old: current.map(\.endpoint), new: updated.map(\.endpoint).filter { !removed.contains($0.id) })
        FileHandle.standardError.write(Data("updated \(written) of \(current.count) documents in \(directory)\n".utf8))
        if let output {
            let result = Generator.generate(endpoints: updated.filter { !removed.contains($0.endpoint.id) }.map(\.endpoint))
            for diagnostic in updated.flatMap(\.diagnostics) + result.diagnostics {
                FileHandle.standardError.write(Data("\(diagnostic)\n".utf8))
            }
            let target = OutputDirectory(path: output)
            let changes = target.changes(for: result.files)
            do { try target.apply(changes, files: result.files) } catch {
                throw unusable("error: \(output): \(error.localizedDescription)")
            }
            FileHandle.standardError.write(Data("regenerated \(output) (\(changes.count) files changed)\n".utf8))
        }
        try report.emit(changeReport)
    }
}
