import ArgumentParser
import FalCodegen
import Foundation

extension ChangeReport.Format: ExpressibleByArgument {}

/// Options shared by `diff` and `update`: how the report is printed and when it fails the run.
struct ReportOptions: ParsableArguments {
    @Flag(help: "Exit 1 when any change is breaking.")
    var failOnBreaking = false

    @Option(help: "Report format: text or json.")
    var format: ChangeReport.Format = .text

    /// Prints the report; exit 1 for breaking changes under `--fail-on-breaking`.
    func emit(_ report: ChangeReport) throws {
        FileHandle.standardOutput.write(Data(report.rendered(as: format).utf8))
        if failOnBreaking, report.hasBreakingChanges { throw ExitCode(1) }
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
            Each change is breaking, additive or notice, with the field's JSON path and the Swift symbol it affects. \
            Exit status: 0, or 1 with --fail-on-breaking when anything is breaking; 2 when an input is unusable.
            """)

    @Argument(help: "The earlier document or directory.")
    var old: String

    @Argument(help: "The later document or directory.")
    var new: String

    @Option(help: "Directory of OpenAPI Overlay files applied to both sides (as `generate --overlays`).")
    var overlays: String?

    @OptionGroup var report: ReportOptions

    func run() throws {
        let before: [LoadedDocument], after: [LoadedDocument]
        do {
            before = try Generator.load(documents: [old], overlaysDirectory: overlays)
            after = try Generator.load(documents: [new], overlaysDirectory: overlays)
        } catch {
            throw unusable(error.description)
        }
        try report.emit(SchemaDiff.compare(old: before.map(\.endpoint), new: after.map(\.endpoint)))
    }
}
