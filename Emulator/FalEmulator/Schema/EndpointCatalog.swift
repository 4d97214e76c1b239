import FalCore
import Foundation

/// The endpoints the emulator serves, loaded from fal queue OpenAPI documents (`schemas/` by default).
struct EndpointCatalog: Sendable {
    private(set) var endpoints: [String: EmulatedEndpoint] = [:]

    init(endpoints: [EmulatedEndpoint]) {
        for endpoint in endpoints { self.endpoints[endpoint.id] = endpoint }
    }

    func endpoint(_ id: String) -> EmulatedEndpoint? { endpoints[id] }

    var ids: [String] { endpoints.keys.sorted() }

    /// Loads every `*.json` document directly inside `directory` (overlays live in a subfolder and are
    /// applied by the schema loader, not read as documents).
    static func load(directory: URL, overlays: URL?) throws(EmulatorError) -> EndpointCatalog {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .configuration("cannot read schemas directory \(directory.path): \(error.localizedDescription)")
        }
        var endpoints: [EmulatedEndpoint] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let file = directory.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: file) else {
                throw .configuration("cannot read \(file.path)")
            }
            endpoints.append(try endpoint(documentData: data, source: file, overlays: overlays))
        }
        return EndpointCatalog(endpoints: endpoints)
    }

    /// Builds an endpoint from one document's bytes.
    static func endpoint(documentData: Data, source: URL?, overlays: URL?) throws(EmulatorError) -> EmulatedEndpoint {
        let label = source?.lastPathComponent ?? "document"
        let document: JSONValue
        do {
            document = try JSONCoding.parse(documentData)
        } catch {
            throw .configuration("\(label) is not valid JSON: \(error.reason)")
        }
        let paths = document["paths"]?.objectValue ?? [:]
        let declaredID = document["info"]?["x-fal-metadata"]?["endpointId"]?.stringValue
        // Without metadata, the submit path is the one POST path that is not a queue sub-resource.
        guard let id = declaredID ?? paths.first(where: { $0.value["post"] != nil && !$0.key.contains("/requests/") })?.key.trimmingSlashes
        else {
            throw .configuration("\(label) names no endpoint (no info.x-fal-metadata.endpointId and no POST path)")
        }
        let components = document["components"]?["schemas"]?.objectValue ?? [:]
        let inputSchema = paths["/\(id)"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]
        let outputSchema = paths["/\(id)/requests/{request_id}"]?["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"]
        let validator = try SchemaValidation.validator(documentData: documentData, source: source, overlays: overlays, endpointID: id)
        return EmulatedEndpoint(
            id: id, documentData: documentData,
            input: inputSchema.map { SchemaNode(schema: $0, components: components) },
            output: outputSchema.map { SchemaNode(schema: $0, components: components) },
            validator: validator)
    }
}

extension String {
    var trimmingSlashes: String {
        var text = Substring(self)
        while text.hasPrefix("/") { text = text.dropFirst() }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
