import FalCodegen
import Foundation

/// Per-document results of one corpus run: parsed, generated (and so compiled, since this program links
/// the generated module), and documented input examples round-tripped through the generated types.
public enum CorpusReport {
    /// `check-current DOCUMENTS [KNOWN-FAILURES]`: the second argument is the reviewed list of fal's own inconsistencies.
    public static func main(label: String, endpoints: [any FalEndpoint.Type]) -> Int32 {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            print("usage: \(arguments[0]) DOCUMENTS [KNOWN-FAILURES]")
            return 2
        }
        var known = KnownFailures()
        if arguments.count >= 3 {
            do { known = try KnownFailures(file: arguments[2]) } catch {
                print("\(arguments[2]): \(error)")
                return 2
            }
        }
        return run(label: label, documents: arguments[1], endpoints: endpoints, known: known)
    }

    public static func run(label: String, documents: String, endpoints: [any FalEndpoint.Type], known: KnownFailures = KnownFailures()) -> Int32 {
        let files: [String]
        do { files = try Generator.documentFiles([documents]) } catch {
            print("\(error)")
            return 1
        }
        let types = Dictionary(endpoints.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var parsed = 0, compiled = 0, withExamples = 0, examples = 0, passedExamples = 0, fullyPassed = 0
        var failures: [Failure] = []
        for file in files {
            let document: LoadedDocument
            do { document = try DocumentLoader.load(file: file) } catch {
                failures.append(Failure(stage: "parse", file: file, detail: "\(error)"))
                continue
            }
            parsed += 1
            guard let type = types[document.endpoint.id] else {
                failures.append(Failure(stage: "compile", file: file, detail: "no generated type for \(document.endpoint.id)"))
                continue
            }
            compiled += 1
            let documented = document.endpoint.inputExamples
            if documented.isEmpty { fullyPassed += 1; continue }
            withExamples += 1
            var allPassed = true
            for example in documented {
                examples += 1
                if let failure = ExampleRoundTrip.check(type, example) {
                    allPassed = false
                    failures.append(Failure(stage: "round-trip", file: file, detail: String(failure.prefix(400))))
                } else {
                    passedExamples += 1
                }
            }
            if allPassed { fullyPassed += 1 }
        }
        let (expected, unexpected) = (failures.filter(known.contains), failures.filter { !known.contains($0) })
        for failure in expected { print("  KNOWN \(failure) — \(known.reason(for: failure) ?? "")") }
        for failure in unexpected { print("  FAIL \(failure)") }
        // A listed failure that no longer happens is an error too: the list stays reviewed, not accumulated.
        let stale = known.entries.filter { entry in
            files.contains { Failure.baseName($0) == entry.document } && !failures.contains { known.matches(entry, $0) }
        }
        for entry in stale { print("  STALE known failure no longer happens: \(entry.stage) \(entry.document) — remove it from the list") }
        print("corpus \(label): \(files.count) documents")
        print("  parsed                 \(parsed)/\(files.count)")
        print("  generated + compiled   \(compiled)/\(parsed)")
        print("  examples round-tripped \(passedExamples)/\(examples) (from \(withExamples) documents with examples)")
        print("  documents passing all  \(fullyPassed)/\(files.count)")
        if !expected.isEmpty { print("  known fal inconsistencies \(expected.count) (listed with reasons)") }
        return unexpected.isEmpty && stale.isEmpty ? 0 : 1
    }
}

/// One document that failed a stage.
public struct Failure: CustomStringConvertible, Sendable {
    public var stage: String
    public var file: String
    public var detail: String

    public var description: String { "\(stage): \(file): \(detail)" }

    /// `fal-ai__x.json` for `/path/fal-ai__x.json`.
    static func baseName(_ file: String) -> String { (file as NSString).lastPathComponent }
}

/// `scripts/corpus/known-failures.txt`: `<stage> <document file name> # <reason>`, one per line; `#` lines are comments.
public struct KnownFailures: Sendable {
    public struct Entry: Sendable {
        public var stage: String
        public var document: String
        public var reason: String
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public init(file: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "#", maxSplits: 1)
            let fields = parts[0].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let reason = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            guard fields.count == 2, ["parse", "compile", "round-trip"].contains(fields[0]), !reason.isEmpty else {
                throw KnownFailuresError(line: number + 1, text: String(rawLine))
            }
            entries.append(Entry(stage: fields[0], document: fields[1], reason: reason))
        }
    }

    func matches(_ entry: Entry, _ failure: Failure) -> Bool {
        entry.stage == failure.stage && entry.document == Failure.baseName(failure.file)
    }

    func contains(_ failure: Failure) -> Bool { entries.contains { matches($0, failure) } }
    func reason(for failure: Failure) -> String? { entries.first { matches($0, failure) }?.reason }
}

struct KnownFailuresError: Error, CustomStringConvertible {
    var line: Int
    var text: String
    var description: String { "line \(line): expected `<parse|compile|round-trip> <document file> # <reason>`, found `\(text)`" }
}
