import Foundation

/// Loads fal's per-endpoint OpenAPI documents into `Endpoint`s.
///
/// fal's documents declare `openapi: 3.0.4` but are written with 3.1 idioms (`anyOf` with `{type: null}`,
/// `examples` arrays, numeric `exclusiveMinimum`, `$ref` with siblings); both are read alike. The document is
/// parsed once into the order-preserving `OrderedJSON` tree; `DocumentChecker` (with `SchemaChecker`) refuses
/// a malformed one with path and rule, and `SchemaBuilder` builds the IR from the same tree.
public enum DocumentLoader {
    /// Reads a document file and applies `overlays` (all of them must target it) before loading.
    public static func load(file path: String, overlays: [Overlay] = []) throws(CodegenError) -> LoadedDocument {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CodegenError(file: path, path: "", message: "cannot read: \(error.localizedDescription)")
        }
        return try load(data: data, name: path, overlays: overlays)
    }

    /// Parses document bytes. `name` is used in diagnostics and as `Endpoint.source`.
    public static func load(data: Data, name: String, overlays: [Overlay] = []) throws(CodegenError) -> LoadedDocument {
        var tree: OrderedJSON
        do { tree = try OrderedJSONReader.read(Array(data)) } catch {
            throw CodegenError(file: name, path: "", message: error.description)
        }
        for overlay in overlays { tree = try overlay.apply(to: tree, documentName: name) }
        return try load(tree: tree, name: name)
    }

    /// Loads an already parsed (and overlaid) document tree.
    public static func load(tree: OrderedJSON, name: String) throws(CodegenError) -> LoadedDocument {
        guard tree.members != nil else { throw CodegenError(file: name, path: "$", message: "document is not a JSON object") }
        var checker = DocumentChecker(file: name)
        try checker.check(tree)

        // The submit operation: the POST with a request body (fal's queue `POST /{endpoint id}`).
        let submitPath = tree["paths"]?.members?.first { $0.value["post"]?["requestBody"] != nil }?.key
        guard let submitPath else {
            throw CodegenError(file: name, path: "$.paths", message: "no POST operation with a request body (the queue submit)")
        }
        let endpointID = tree["info"]?["x-fal-metadata"]?["endpointId"]?.string
            ?? String(submitPath.drop(while: { $0 == "/" }))

        var builder = SchemaBuilder(document: tree, file: name)
        let postPath = "$.paths['\(submitPath)'].post.requestBody.content['application/json'].schema"
        let input = tree["paths"]?[submitPath]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]
            .map { builder.build($0, at: postPath) }

        let resultKey = submitPath + "/requests/{request_id}"
        let resultPath = "$.paths['\(resultKey)'].get.responses['200'].content['application/json'].schema"
        let output = tree["paths"]?[resultKey]?["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"]
            .map { builder.build($0, at: resultPath) }

        var diagnostics = builder.diagnostics
        if input == nil { diagnostics.append(Diagnostic(file: name, path: postPath, message: "no JSON request body schema")) }
        if output == nil { diagnostics.append(Diagnostic(file: name, path: resultPath, message: "no result schema; Output is any JSON")) }

        let info = tree["info"]
        let metadata = info?["x-fal-metadata"]
        // Every fal document says "The OpenAPI schema for the <id> queue.": that describes the document, not the endpoint.
        let description = info?["description"]?.string.flatMap { $0.hasPrefix("The OpenAPI schema for the ") ? nil : $0 }
        let endpoint = Endpoint(
            id: endpointID, summary: metadata?["about"]?.string, description: description, category: metadata?["category"]?.string,
            input: input, output: output,
            components: builder.components, componentOrder: builder.componentOrder, source: name)
        return LoadedDocument(endpoint: endpoint, diagnostics: diagnostics)
    }
}

/// One loaded document: the endpoint and what could not be expressed exactly.
public struct LoadedDocument: Sendable {
    public var endpoint: Endpoint
    public var diagnostics: [Diagnostic]
}
