/// Refuses malformed JSON Schema keywords, naming the keyword's path and the rule it breaks.
///
/// OpenAPIKit checks the document's structure but is handed every schema as `{}` (see `StructuralCopy`):
/// decoding fal's schemas into its `JSONSchema` model was half of the generator's time, and the generator
/// reads schemas from the ordered tree anyway (`SchemaBuilder`). This check keeps every schema that
/// OpenAPIKit used to refuse refused, and adds rules it did not enforce (`multipleOf` > 0, non-negative
/// lengths, `type` next to `anyOf`), so a broken schema is an error rather than code accepting any value.
/// Every schema of the document is checked, used by the endpoint or not, as OpenAPIKit did.
struct SchemaChecker {
    let file: String

    /// The types JSON Schema defines.
    static let types: Set<String> = ["null", "boolean", "object", "array", "number", "integer", "string"]

    func check(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        guard let members = json.members else { throw failure(path, "expected a schema object, found \(json.kindDescription)") }
        // `type` decides how `enum`, `const` and numeric bounds are read, so it is checked first.
        let types = try declaredTypes(json["type"], at: JSONPath.member(path, "type"))
        let nonNull = types.filter { $0 != "null" }
        let acceptsNull = types.contains("null") || json["nullable"] == .bool(true)
        for (key, value) in members {
            let at = JSONPath.member(path, key)
            switch key {
            case "allOf", "anyOf", "oneOf", "prefixItems":
                guard let items = value.items, !items.isEmpty else { throw failure(at, "expected a non-empty array of schemas") }
                for (position, item) in items.enumerated() { try check(item, at: "\(at)[\(position)]") }
            case "not", "items", "contains", "propertyNames", "if", "then", "else", "additionalItems", "unevaluatedItems":
                try check(value, at: at)
            case "additionalProperties", "unevaluatedProperties":
                if value.bool == nil { try check(value, at: at) }
            case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas":
                guard let schemas = value.members else { throw failure(at, "expected an object of schemas, found \(value.kindDescription)") }
                for member in schemas { try check(member.value, at: JSONPath.member(at, member.key)) }
            case "required", "x-fal-order-properties":
                try strings(value, at: at, what: "property names")
            case "enum":
                guard let values = value.items else { throw failure(at, "expected an array of values, found \(value.kindDescription)") }
                guard !values.isEmpty else { throw failure(at, "expected at least one value (an empty `enum` admits nothing)") }
                if nonNull == ["string"] {
                    for (position, item) in values.enumerated() { try stringValue(item, at: "\(at)[\(position)]", acceptsNull: acceptsNull) }
                }
            case "const":
                if nonNull == ["string"] { try stringValue(value, at: at, acceptsNull: acceptsNull) }
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
                try number(value, at: at, integer: nonNull == ["integer"])
            case "multipleOf":
                try number(value, at: at, integer: nonNull == ["integer"])
                if let divisor = value.double, divisor <= 0 { throw failure(at, "must be greater than 0, found \(value.valueDescription)") }
            case "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains":
                guard let count = value.int, count >= 0 else { throw failure(at, "expected a non-negative integer, found \(value.valueDescription)") }
            case "$ref", "$dynamicRef", "$id", "$schema", "$anchor", "$dynamicAnchor", "$comment",
                 "pattern", "title", "description", "format", "contentMediaType", "contentEncoding":
                guard value.string != nil else { throw failure(at, "expected a string, found \(value.kindDescription)") }
            case "uniqueItems", "deprecated", "readOnly", "writeOnly", "nullable":
                guard value.bool != nil else { throw failure(at, "expected true or false, found \(value.kindDescription)") }
            case "examples":
                guard value.items != nil else { throw failure(at, "expected an array of examples, found \(value.kindDescription)") }
            case "discriminator":
                guard value["propertyName"]?.string != nil else { throw failure(at, "expected an object with a string `propertyName`") }
                if let mapping = value["mapping"] { try stringMap(mapping, at: JSONPath.member(at, "mapping")) }
            case "externalDocs":
                guard value["url"]?.string != nil else { throw failure(at, "expected an object with a string `url`") }
            case "xml":
                guard value.members != nil else { throw failure(at, "expected an object, found \(value.kindDescription)") }
            default:
                break  // `default`, `example`, vendor extensions and keywords the generator does not read
            }
        }
        if json["readOnly"] == .bool(true), json["writeOnly"] == .bool(true) {
            throw failure(path, "`readOnly` and `writeOnly` cannot both be true")
        }
    }

    private func failure(_ path: String, _ rule: String) -> CodegenError {
        CodegenError(file: file, path: path, message: "invalid schema: \(rule)")
    }

    /// `type`: one JSON Schema type or a non-empty array of distinct ones.
    private func declaredTypes(_ value: OrderedJSON?, at path: String) throws(CodegenError) -> [String] {
        guard let value else { return [] }
        let names: [OrderedJSON]
        if let list = value.items {
            guard !list.isEmpty else { throw failure(path, "expected a type or a non-empty array of types") }
            names = list
        } else {
            names = [value]
        }
        var types: [String] = []
        for (position, name) in names.enumerated() {
            let at = value.items == nil ? path : "\(path)[\(position)]"
            guard let type = name.string, Self.types.contains(type) else {
                throw failure(at, "\(name.valueDescription) is not a JSON Schema type (\(Self.types.sorted().joined(separator: ", ")))")
            }
            guard !types.contains(type) else { throw failure(at, "type \"\(type)\" is listed twice") }
            types.append(type)
        }
        return types
    }

    private func number(_ value: OrderedJSON, at path: String, integer: Bool) throws(CodegenError) {
        guard value.double != nil else { throw failure(path, "expected a number, found \(value.kindDescription)") }
        if integer, value.int == nil { throw failure(path, "expected an integer (the schema's type is integer), found \(value.valueDescription)") }
    }

    private func stringValue(_ value: OrderedJSON, at path: String, acceptsNull: Bool) throws(CodegenError) {
        if value.string != nil || (acceptsNull && value == .null) { return }
        throw failure(path, "expected a string (the schema's type is string), found \(value.valueDescription)")
    }

    private func strings(_ value: OrderedJSON, at path: String, what: String) throws(CodegenError) {
        guard let items = value.items else { throw failure(path, "expected an array of \(what), found \(value.kindDescription)") }
        for (position, item) in items.enumerated() where item.string == nil {
            throw failure("\(path)[\(position)]", "expected a string, found \(item.kindDescription)")
        }
    }

    private func stringMap(_ value: OrderedJSON, at path: String) throws(CodegenError) {
        guard let members = value.members else { throw failure(path, "expected an object of strings, found \(value.kindDescription)") }
        for member in members where member.value.string == nil {
            throw failure(JSONPath.member(path, member.key), "expected a string, found \(member.value.kindDescription)")
        }
    }
}

extension OrderedJSON {
    /// "a string", "an array", … for diagnostics.
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Scalars as written (`"strin"`, `1.5`), containers by kind.
    var valueDescription: String {
        switch self {
        case .null, .bool, .number, .string: return serialized()
        case .array, .object: return kindDescription
        }
    }
}
