import Foundation

/// One file the generator writes, relative to the output directory.
public struct GeneratedFile: Sendable, Hashable {
    public var name: String
    public var contents: String
}

public struct GenerationResult: Sendable {
    public var files: [GeneratedFile]
    public var diagnostics: [Diagnostic]
}

/// The whole pipeline: documents → `Endpoint` IR → Swift files. Every function is deterministic.
public enum Generator {
    /// `Exports.swift`: makes `import FalSDK` (or any generated module) bring the runtime along.
    public static let exportsFile = GeneratedFile(name: "Exports.swift", contents: "import FalCore\n@_exported import FalRuntime\n")

    /// Generates one file per endpoint plus `Exports.swift`. Endpoint type names are unique across the set.
    public static func generate(endpoints: [Endpoint]) -> GenerationResult {
        let names = EndpointNaming.names(for: endpoints.map(\.id))
        var files = [exportsFile]
        var diagnostics: [Diagnostic] = []
        for endpoint in endpoints.sorted(by: { $0.id < $1.id }) {
            let (typeName, accessor) = names[endpoint.id]!
            var planner = TypePlanner(endpoint: endpoint, typeName: typeName)
            let declarations = planner.plan()
            diagnostics += planner.diagnostics
            let model = EndpointModel(typeName: typeName, accessorName: accessor, endpoint: endpoint, declarations: declarations)
            files.append(GeneratedFile(name: "\(typeName).swift", contents: EndpointPrinter.print(model)))
        }
        return GenerationResult(files: files, diagnostics: diagnostics)
    }

    /// Loads documents (files, or directories whose `*.json` files are read in name order), applies the
    /// overlays from `overlaysDirectory` (`<document base name>.overlay.json`), and generates.
    /// Throws for the first invalid document or overlay; two documents with the same endpoint id are an error.
    public static func generate(documents inputs: [String], overlaysDirectory: String? = nil) throws(CodegenError) -> GenerationResult {
        let loaded = try load(documents: inputs, overlaysDirectory: overlaysDirectory)
        var result = generate(endpoints: loaded.map(\.endpoint))
        result.diagnostics = loaded.flatMap(\.diagnostics) + result.diagnostics
        return result
    }

    /// The document files an input list names, in a stable order.
    public static func documentFiles(_ inputs: [String]) throws(CodegenError) -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw CodegenError(file: input, path: "", message: "no such file or directory")
            }
            if isDirectory.boolValue {
                let names = ((try? manager.contentsOfDirectory(atPath: input)) ?? [])
                    .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".overlay.json") }
                    .sorted()
                files += names.map { (input as NSString).appendingPathComponent($0) }
            } else {
                files.append(input)
            }
        }
        return files
    }

    /// Loads every document with its overlays.
    public static func load(documents inputs: [String], overlaysDirectory: String? = nil) throws(CodegenError) -> [LoadedDocument] {
        let overlays = try OverlayDirectory(path: overlaysDirectory)
        var loaded: [LoadedDocument] = []
        var seen: [String: String] = [:]
        for file in try documentFiles(inputs) {
            let document = try DocumentLoader.load(file: file, overlays: overlays.overlays(for: file))
            if let earlier = seen[document.endpoint.id] {
                throw CodegenError(file: file, path: "$.info.x-fal-metadata.endpointId",
                    message: "endpoint \(document.endpoint.id) is also defined by \(earlier); generate them in separate runs")
            }
            seen[document.endpoint.id] = file
            loaded.append(document)
        }
        let unused = overlays.unused(by: loaded.map(\.endpoint.source))
        if let overlay = unused.first {
            throw CodegenError(file: overlay, path: "$.extends", message: "overlay matches no input document")
        }
        return loaded
    }
}

/// The overlays of a directory, matched to documents by base name (`x.json` ← `x.overlay.json`).
struct OverlayDirectory {
    private var byDocument: [String: (file: String, overlay: Overlay)] = [:]

    init(path: String?) throws(CodegenError) {
        guard let path else { return }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".overlay.json") }.sorted()
        for name in names {
            let file = (path as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CodegenError(file: file, path: "", message: "cannot read overlay")
            }
            let json: OrderedJSON
            do { json = try OrderedJSONReader.read(Array(data)) } catch { throw CodegenError(file: file, path: "", message: error.description) }
            let base = String(name.dropLast(".overlay.json".count))
            byDocument[base] = (file, try Overlay(json: json, source: file))
        }
    }

    func overlays(for document: String) -> [Overlay] {
        let base = ((document as NSString).lastPathComponent as NSString).deletingPathExtension
        return byDocument[base].map { [$0.overlay] } ?? []
    }

    /// Overlay files whose document was not among the inputs (only reported when some were given for that directory).
    func unused(by documents: [String]) -> [String] {
        let bases = Set(documents.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension })
        return byDocument.filter { !bases.contains($0.key) }.map(\.value.file).sorted()
    }
}
