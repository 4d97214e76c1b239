/// The copy of a document that OpenAPIKit decodes, and the schemas taken out of it.
///
/// OpenAPIKit checks the document's structure and finds its operations; the generator reads schemas and
/// free-form values from the ordered tree. So the copy leaves out what OpenAPIKit would only decode at
/// great cost without the generator using the result:
/// - every schema (each `components.schemas` entry and each `schema` of a parameter, header or media type)
///   becomes `{}`; the originals are listed in `schemas` for `SchemaChecker`. Decoding them into
///   OpenAPIKit's `JSONSchema` was half of the time of generating fal's corpus.
/// - `example`, `examples`, `default` and `x-…` values, which OpenAPIKit decodes as `AnyCodable` without
///   checking anything. A server variable's `default` (a required string) and a `default` response stay.
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
            for member in members {
                if member.key == "schema" || (path == "$.components" && member.key == "schemas" && member.value.members != nil) {
                    kept.append((member.key, takeSchemas(member.value, at: JSONPath.member(path, member.key), isMap: member.key == "schemas")))
                } else if Self.isFreeForm(member.key, in: key, parentKey: parentKey) {
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

    /// Free-form members of an object found under `key` (itself under `parentKey`).
    private static func isFreeForm(_ member: String, in key: String?, parentKey: String?) -> Bool {
        switch member {
        case "example", "examples": return true
        case "default": return key != "responses" && parentKey != "variables"
        default: return member.hasPrefix("x-") && key != "headers"  // `x-request-id` may name a header
        }
    }
}
