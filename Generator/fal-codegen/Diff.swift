import ArgumentParser
import FalCodegen
import Foundation

extension ChangeReport.Format: ExpressibleByArgument {}

/// Options shared by `diff` and `update`: how the report is printed and when it fails the run.
struct ReportOptions: ParsableArguments {
    @Flag(help: "Exit 1 when the generated public API lost or changed a declaration (a source-breaking change).")
    var failOnBreaking = false

    @Option(help: "Report format: text or json.")
    var format: ChangeReport.Format = .text

    /// Prints the report; exit 1 for source-breaking changes under `--fail-on-breaking`. Runtime-breaking ones
    /// (a narrowed range) are printed but do not fail it: no code written against the API stops compiling.
    func emit(_ report: ChangeReport) throws {
        FileHandle.standardOutput.write(Data(report.rendered(as: format).utf8))
        if failOnBreaking, report.hasSourceBreakingChanges { throw ExitCode(1) }
    }
}

/// Exit status 2: the inputs could not be used (missing, unreadable, not a fal document).
func unusable(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
    return ExitCode(2)
}

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report what changed between two versions of fal documents, in terms of the generated Swift API.",
        discussion: """
            OLD and NEW are two documents, or two directories whose documents are matched by endpoint id. \
            NEW is named as `update` regenerates it: with the names OLD got (its names lock, \(NamesLock.fileName)), \
            so what fal renames or restyles without changing the JSON changes nothing here. \
            Each change names the Swift declaration it affects and is source-breaking, runtime-breaking, additive or notice. \
            Exit status: 0, or 1 with --fail-on-breaking when anything is source-breaking; 2 when an input is unusable \
            (missing, unreadable, not a fal document, or NEW holding no document at all).
            """)

    @Argument(help: "The earlier document or directory.")
    var old: String

    @Argument(help: "The later document or directory.")
    var new: String

    @Option(help: "Directory of OpenAPI Overlay files applied to both sides (as `generate --overlays`).")
    var overlays: String?

    @Option(help: "The names lock OLD was generated with (default: \(NamesLock.fileName) in OLD, when it is a directory that has one).")
    var lock: String?

    @OptionGroup var report: ReportOptions

    func run() throws {
        let before: [LoadedDocument], after: [LoadedDocument]
        let names: NamesLock?
        do {
            before = try Generator.load(documents: [old], overlaysDirectory: overlays)
            after = try Generator.load(documents: [new], overlaysDirectory: overlays)
            names = try (lock ?? existingDirectory(old).map { ($0 as NSString).appendingPathComponent(NamesLock.fileName) }).flatMap(NamesLock.read)
        } catch {
            throw unusable(error.description)
        }
        // An empty NEW is a wrong path or a failed download far more often than fal removing every endpoint.
        guard !after.isEmpty else { throw unusable("error: \(new): no fal document (*.json) to compare with") }
        // NEW keeps OLD's names, as `update` regenerates it.
        try report.emit(APIDiff.compare(old: before.map(\.endpoint), new: after.map(\.endpoint), lock: names))
    }
}
