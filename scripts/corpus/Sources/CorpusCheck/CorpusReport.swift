import FalCodegen
import Foundation

/// Per-document results of one corpus run: parsed, generated (and so compiled, since this program links
/// the generated module), and documented input examples round-tripped through the generated types.
public enum CorpusReport {
    public static func run(label: String, documents: String, endpoints: [any FalEndpoint.Type]) -> Int32 {
        let files: [String]
        do { files = try Generator.documentFiles([documents]) } catch {
            print("\(error)")
            return 1
        }
        let types = Dictionary(endpoints.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var parsed = 0, compiled = 0, withExamples = 0, examples = 0, passedExamples = 0, fullyPassed = 0
        var failures: [String] = []
        for file in files {
            let document: LoadedDocument
            do { document = try DocumentLoader.load(file: file) } catch {
                failures.append("parse: \(error)")
                continue
            }
            parsed += 1
            guard let type = types[document.endpoint.id] else {
                failures.append("compile: \(file): no generated type for \(document.endpoint.id)")
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
                    failures.append("round-trip: \(file): \(failure.prefix(400))")
                } else {
                    passedExamples += 1
                }
            }
            if allPassed { fullyPassed += 1 }
        }
        for failure in failures { print("  FAIL \(failure)") }
        print("corpus \(label): \(files.count) documents")
        print("  parsed                 \(parsed)/\(files.count)")
        print("  generated + compiled   \(compiled)/\(parsed)")
        print("  examples round-tripped \(passedExamples)/\(examples) (from \(withExamples) documents with examples)")
        print("  documents passing all  \(fullyPassed)/\(files.count)")
        return failures.isEmpty ? 0 : 1
    }
}
