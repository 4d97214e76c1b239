@testable import FalCodegen

/// Rewrites a legacy fal document in the style of fal's current ones without changing what it means: the
/// differences between the two generations of documents that `SchemaDiff` must not report.
enum LegacyRestyle {
    static let schemasPrefix = "#/components/schemas/"

    /// Components renamed (`Image` → `RestyledImage`), `allOf: [{$ref}]` as a `$ref` with siblings, schema titles
    /// and examples dropped, and every object's members in reverse order.
    static func document(_ tree: OrderedJSON) -> OrderedJSON {
        guard let components = tree["components"], let schemas = components["schemas"]?.members else { return tree }
        let renamed = OrderedJSON.object(schemas.map { (key: "Restyled" + $0.key, value: $0.value) })
        let document = tree.setting("components", to: components.setting("schemas", to: renamed))
        return restyle(document, isSchema: false)
    }

    private static func restyle(_ value: OrderedJSON, isSchema: Bool) -> OrderedJSON {
        switch value {
        case .array(let items): return .array(items.map { restyle($0, isSchema: isSchema) })
        case .object(var members):
            if isSchema {
                members.removeAll { $0.key == "title" || $0.key == "examples" }
                if let position = members.firstIndex(where: { $0.key == "allOf" }), let all = members[position].value.items,
                   all.count == 1, let only = all[0].members, only.count == 1, only[0].key == "$ref" {
                    members[position] = (key: "$ref", value: only[0].value)
                }
            }
            return .object(members.reversed().map { member in
                if member.key == "$ref", let target = member.value.string, target.hasPrefix(schemasPrefix) {
                    return (key: "$ref", value: .string(schemasPrefix + "Restyled" + target.dropFirst(schemasPrefix.count)))
                }
                return (key: member.key, value: restyleMember(member.key, member.value, inSchema: isSchema))
            })
        default: return value
        }
    }

    /// Which members hold schemas: maps of them (`properties`, `schemas`), one (`items`, `schema`, …) or a list.
    private static func restyleMember(_ key: String, _ value: OrderedJSON, inSchema: Bool) -> OrderedJSON {
        switch key {
        case "properties" where inSchema, "schemas":
            guard let members = value.members else { return value }
            return .object(members.map { (key: $0.key, value: restyle($0.value, isSchema: true)) })
        case "items", "additionalProperties", "not", "anyOf", "oneOf", "allOf", "prefixItems":
            return restyle(value, isSchema: inSchema)
        case "schema":
            return restyle(value, isSchema: true)
        case "default", "enum", "const", "required", "x-fal-order-properties":
            return value   // values, not schemas: kept as they are
        default:
            return restyle(value, isSchema: false)
        }
    }

    /// The document without the first property of its request body's component (the one the submit `POST`
    /// references), and that property's name.
    static func removingFirstInputProperty(_ tree: OrderedJSON) -> (OrderedJSON, String)? {
        let submits = tree["paths"]?.members?.compactMap { $0.value["post"] } ?? []
        guard let reference = submits.lazy.compactMap({ $0["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.string }).first,
              reference.hasPrefix(schemasPrefix),
              let components = tree["components"], let schemas = components["schemas"]?.members,
              let position = schemas.firstIndex(where: { $0.key == reference.dropFirst(schemasPrefix.count) }),
              var properties = schemas[position].value["properties"]?.members, !properties.isEmpty else { return nil }
        let removed = properties.removeFirst().key
        var input = schemas[position].value.setting("properties", to: .object(properties))
        for listOfNames in ["required", "x-fal-order-properties"] {
            if let names = input[listOfNames]?.items {
                input = input.setting(listOfNames, to: .array(names.filter { $0.string != removed }))
            }
        }
        var updated = schemas
        updated[position].value = input
        return (tree.setting("components", to: components.setting("schemas", to: .object(updated))), removed)
    }
}
