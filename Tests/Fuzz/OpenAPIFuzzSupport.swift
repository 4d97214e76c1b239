// Shared by the OpenAPIDocument and OpenAPIMutation libFuzzer targets: a document goes the way `fal-codegen`
// takes it (DocumentLoader: OrderedJSONReader, DocumentChecker + SchemaChecker, SchemaBuilder; then Generator's
// planning and rendering, and the change report (APIDiff) against the document it was mutated from, both ways, with the report
// rendered as text and JSON). The rule: a diagnostic (CodegenError) or a result, never a trap; and an endpoint
// compared with itself has no changes. Built by scripts/fuzz.sh against FalCodegen compiled with coverage and ASan.
import FalCodegen
import Foundation

enum OpenAPIPipeline {
    /// Loads `data` as the CLI does and, when it loads, generates and diffs it against `baseline(id)`.
    static func run(_ data: Data, name: String, overlays: [Overlay] = [], baseline: (String) -> Endpoint?) {
        let loaded: LoadedDocument
        do {
            loaded = try DocumentLoader.load(data: data, name: name, overlays: overlays)
        } catch {
            _ = error.description  // refused with a path and a rule: what a malformed document gets
            return
        }
        _ = loaded.diagnostics.map(\.description)
        let endpoint = loaded.endpoint
        let generated = Generator.generate(endpoints: [endpoint], fileNaming: .document)
        if generated.files.count != 3 { fatalError("generated \(generated.files.count) files for one endpoint") }
        _ = generated.diagnostics.map(\.description)

        let same = APIDiff.compare(old: [endpoint], new: [endpoint])
        if !same.allChanges.isEmpty {
            fatalError("an endpoint compared with itself has changes: \(same.rendered(as: .text))")
        }
        guard var baseline = baseline(endpoint.id) else { return }
        baseline.id = endpoint.id  // compared as two versions of one endpoint, whatever the mutation did to the id
        for report in [APIDiff.compare(old: [baseline], new: [endpoint]), APIDiff.compare(old: [endpoint], new: [baseline])] {
            _ = report.rendered(as: .text)
            _ = report.rendered(as: .json)
        }
    }
}

/// fal documents the targets start from: schemas/, Tests/Fixtures/openapi and hostile (scripts/fuzz.sh runs from the
/// repository's root; FUZZ_OPENAPI_SEEDS names other folders, colon-separated).
enum Seeds {
    struct Seed {
        var name: String
        var tree: OrderedJSON
        var endpoint: Endpoint
    }

    static let all: [Seed] = {
        let folders = ProcessInfo.processInfo.environment["FUZZ_OPENAPI_SEEDS"]?.split(separator: ":").map(String.init)
            ?? ["schemas", "Tests/Fixtures/openapi", "Tests/Fixtures/hostile"]
        var seeds: [Seed] = []
        for folder in folders {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
            for name in names {
                let path = folder + "/" + name
                guard let data = FileManager.default.contents(atPath: path), let tree = try? OrderedJSONReader.read(Array(data)),
                      let loaded = try? DocumentLoader.load(tree: tree, name: path)
                else { continue }
                seeds.append(Seed(name: path, tree: tree, endpoint: loaded.endpoint))
            }
        }
        if seeds.isEmpty { fatalError("no seed documents in \(folders); run from the repository's root or set FUZZ_OPENAPI_SEEDS") }
        return seeds
    }()

    static func baseline(for id: String) -> Endpoint {
        all.first { $0.endpoint.id == id }?.endpoint ?? all[0].endpoint
    }
}
