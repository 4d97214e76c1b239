import FalCore
import Foundation

/// One fal endpoint the emulator serves, built from its queue OpenAPI document.
struct EmulatedEndpoint: Sendable {
    /// fal's endpoint id, e.g. `fal-ai/fast-sdxl/image-to-image`.
    let id: String
    /// The document bytes as loaded, served back by `GET /api/openapi/queue/openapi.json`.
    let documentData: Data
    /// The input and output schemas, with `$ref`s resolved against `components`.
    let input: SchemaNode?
    let output: SchemaNode?
    let validator: any InputValidating
}

/// A JSON Schema inside a loaded document, able to follow local `$ref`s.
struct SchemaNode: Sendable {
    let schema: JSONValue
    let components: [String: JSONValue]

    /// The schema with `$ref` followed (up to a bounded depth, so cyclic documents cannot loop).
    var resolved: JSONValue {
        var current = schema
        for _ in 0..<32 {
            guard let reference = current["$ref"]?.stringValue else { return current }
            let name = reference.split(separator: "/").last.map(String.init) ?? reference
            guard let target = components[name] else { return current }
            current = target
        }
        return current
    }

    func child(_ schema: JSONValue) -> SchemaNode { SchemaNode(schema: schema, components: components) }

    /// The alternatives of `anyOf`/`oneOf`, or nil when the schema has none.
    var alternatives: [SchemaNode]? {
        let resolved = self.resolved
        guard let options = (resolved["anyOf"] ?? resolved["oneOf"])?.arrayValue else { return nil }
        return options.map(child)
    }

    var properties: [String: SchemaNode] {
        (resolved["properties"]?.objectValue ?? [:]).mapValues(child)
    }

    var required: [String] { resolved["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    var type: String? { resolved["type"]?.stringValue }

    /// True when null is an accepted value (`type: null` or a null alternative).
    var acceptsNull: Bool {
        if type == "null" { return true }
        return alternatives?.contains { $0.type == "null" } ?? false
    }
}
