/// The copy of a document that OpenAPIKit decodes, and the schemas taken out of it.
///
/// OpenAPIKit checks the document's structure and finds its operations; the generator reads schemas and
/// free-form values from the ordered tree. So the copy leaves out what OpenAPIKit would only decode at
/// great cost without the generator using the result:
/// - every schema (each `components.schemas` entry and each `schema` of a parameter, header or media type)
///   becomes `{}`; the originals are listed in `schemas` for `SchemaChecker`. Decoding them into
///   OpenAPIKit's `JSONSchema` was half of the time of generating fal's corpus.
/// - `example`, `examples`, `default` and `x-…` values, which OpenAPIKit decodes as `AnyCodable` without
///   checking anything. Names are not keywords: a header called `schema` or a `default` response stays.
struct StructuralCopy {
    var document: OrderedJSON
    /// Every schema left out, with its path, in document order.
    var schemas: [(path: String, schema: OrderedJSON)] = []

    init(of tree: OrderedJSON) {
        document = .null
        document = copy(tree, at: "$", key: nil, parentKey: nil)
    }

    private static let placeholder = OrderedJSON.object([])

    private mutating func copy(_ value: OrderedJSON, at path: String, key: String?, parentKey: String?) -> OrderedJSON {
        switch value {
        case .array(let items):
            var copied: [OrderedJSON] = []
            copied.reserveCapacity(items.count)
            for (position, item) in items.enumerated() { copied.append(copy(item, at: "\(path)[\(position)]", key: nil, parentKey: key)) }
            return .array(copied)
        case .object(let members):
            var kept: [(key: String, value: OrderedJSON)] = []
            kept.reserveCapacity(members.count)
            let keysAreNames = key.map(Self.nameMaps.contains) ?? false
            for member in members {
                if !keysAreNames, member.key == "schema" || (path == "$.components" && member.key == "schemas" && member.value.members != nil) {
                    kept.append((member.key, takeSchemas(member.value, at: JSONPath.member(path, member.key), isMap: member.key == "schemas")))
                } else if Self.isFreeForm(member.key, in: key, keysAreNames: keysAreNames, parentKey: parentKey) {
                    continue
                } else if member.key == "value" || (member.value.members == nil && member.value.items == nil) {
                    kept.append(member)  // a scalar, or an Example object's free-form value
                } else {
                    kept.append((member.key, copy(member.value, at: JSONPath.member(path, member.key), key: member.key, parentKey: key)))
                }
            }
            return .object(kept)
        default:
            return value
        }
    }

    /// Records the schema (or each schema of a `components.schemas` map) and returns its placeholder.
    private mutating func takeSchemas(_ value: OrderedJSON, at path: String, isMap: Bool) -> OrderedJSON {
        guard isMap, let members = value.members else {
            schemas.append((path, value))
            return Self.placeholder
        }
        for member in members { schemas.append((JSONPath.member(path, member.key), member.value)) }
        return .object(members.map { ($0.key, Self.placeholder) })
    }

    /// Objects whose keys are names (a header called `schema`, a response called `default`), not keywords.
    private static let nameMaps: Set<String> = [
        "paths", "webhooks", "schemas", "responses", "parameters", "requestBodies", "headers", "securitySchemes",
        "links", "callbacks", "pathItems", "content", "encoding", "variables", "scopes", "mapping",
    ]

    /// Free-form members of an object found under `key` (itself under `parentKey`). In a map of names only
    /// the `x-` extensions OpenAPI allows there are.
    private static func isFreeForm(_ member: String, in key: String?, keysAreNames: Bool, parentKey: String?) -> Bool {
        if keysAreNames { return member.hasPrefix("x-") && (key == "paths" || key == "responses" || key == "callbacks") }
        switch member {
        case "example", "examples": return true
        case "default": return parentKey != "variables"  // a server variable's `default` is a required string
        default: return member.hasPrefix("x-")
        }
    }
}
