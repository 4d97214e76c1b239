/// Refuses malformed JSON Schema keywords, naming the keyword's path and the rule it breaks.
///
/// `DocumentChecker` hands it every schema of the document, used by the endpoint or not. Beyond JSON
/// Schema's own rules it refuses what the generator would misread (`multipleOf` ≤ 0, negative lengths, an
/// empty `enum`, `type` next to `anyOf`, a non-string `$ref`, a bound that is not a number whatever the
/// type), so a broken schema is an error, never code accepting any value.
struct SchemaChecker {
    let file: String
    /// Where the checked schema is; the path of a failure is built only when there is one.
    private var root = "$"
    private var trail: [Step] = []

    private enum Step {
        case member(String)
        case index(Int)
    }

    init(file: String) { self.file = file }

    /// The types JSON Schema defines.
    static let types: Set<String> = ["null", "boolean", "object", "array", "number", "integer", "string"]

    mutating func check(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        root = path
        trail.removeAll(keepingCapacity: true)
        try schema(json)
    }

    private mutating func schema(_ json: OrderedJSON) throws(CodegenError) {
        guard let members = json.members else { throw failure("expected a schema object, found \(json.kindDescription)") }
        // `type` decides how `enum`, `const` and numeric bounds are read, so it is checked first.
        trail.append(.member("type"))
        let types = try declaredTypes(json["type"])
        trail.removeLast()
        let nonNull = types.filter { $0 != "null" }
        let acceptsNull = types.contains("null") || json["nullable"] == .bool(true)
        for (key, value) in members {
            trail.append(.member(key))
            switch key {
            case "allOf", "anyOf", "oneOf", "prefixItems":
                guard let items = value.items, !items.isEmpty else { throw failure("expected a non-empty array of schemas") }
                try each(items) { checker, item throws(CodegenError) in try checker.schema(item) }
            case "not", "items", "contains", "propertyNames", "if", "then", "else", "additionalItems", "unevaluatedItems":
                try schema(value)
            case "additionalProperties", "unevaluatedProperties":
                if value.bool == nil { try schema(value) }
            case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas":
                guard let schemas = value.members else { throw failure("expected an object of schemas, found \(value.kindDescription)") }
                for member in schemas {
                    trail.append(.member(member.key))
                    try schema(member.value)
                    trail.removeLast()
                }
            case "required", "x-fal-order-properties":
                guard let names = value.items else { throw failure("expected an array of property names, found \(value.kindDescription)") }
                try each(names) { checker, name throws(CodegenError) in
                    guard name.string != nil else { throw checker.failure("expected a string, found \(name.kindDescription)") }
                }
            case "enum":
                guard let values = value.items else { throw failure("expected an array of values, found \(value.kindDescription)") }
                guard !values.isEmpty else { throw failure("expected at least one value (an empty `enum` admits nothing)") }
                if nonNull == ["string"] {
                    try each(values) { checker, item throws(CodegenError) in try checker.stringValue(item, acceptsNull: acceptsNull) }
                }
            case "const":
                if nonNull == ["string"] { try stringValue(value, acceptsNull: acceptsNull) }
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
                try number(value, integer: nonNull == ["integer"])
            case "multipleOf":
                try number(value, integer: nonNull == ["integer"])
                if let divisor = value.double, divisor <= 0 { throw failure("must be greater than 0, found \(value.valueDescription)") }
            case "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains":
                guard let count = value.int, count >= 0 else { throw failure("expected a non-negative integer, found \(value.valueDescription)") }
            case "$ref", "$dynamicRef", "$id", "$schema", "$anchor", "$dynamicAnchor", "$comment",
                 "pattern", "title", "description", "format", "contentMediaType", "contentEncoding":
                guard value.string != nil else { throw failure("expected a string, found \(value.kindDescription)") }
            case "uniqueItems", "deprecated", "readOnly", "writeOnly", "nullable":
                guard value.bool != nil else { throw failure("expected true or false, found \(value.kindDescription)") }
            case "examples":
                guard value.items != nil else { throw failure("expected an array of examples, found \(value.kindDescription)") }
            case "discriminator":
                guard value["propertyName"]?.string != nil else { throw failure("expected an object with a string `propertyName`") }
                if let mapping = value["mapping"] {
                    trail.append(.member("mapping"))
                    guard let targets = mapping.members else { throw failure("expected an object of strings, found \(mapping.kindDescription)") }
                    for target in targets where target.value.string == nil {
                        trail.append(.member(target.key))
                        throw failure("expected a string, found \(target.value.kindDescription)")
                    }
                    trail.removeLast()
                }
            case "externalDocs":
                guard value["url"]?.string != nil else { throw failure("expected an object with a string `url`") }
            case "xml":
                guard value.members != nil else { throw failure("expected an object, found \(value.kindDescription)") }
            default:
                break  // `default`, `example`, vendor extensions and keywords the generator does not read
            }
            trail.removeLast()
        }
        if json["readOnly"] == .bool(true), json["writeOnly"] == .bool(true) {
            throw failure("`readOnly` and `writeOnly` cannot both be true")
        }
    }

    /// Runs `body` on each item with the item's index on the trail.
    private mutating func each(
        _ items: [OrderedJSON], _ body: (inout SchemaChecker, OrderedJSON) throws(CodegenError) -> Void
    ) throws(CodegenError) {
        for (position, item) in items.enumerated() {
            trail.append(.index(position))
            try body(&self, item)
            trail.removeLast()
        }
    }

    /// The error for the current location.
    private func failure(_ rule: String) -> CodegenError {
        var path = root
        for step in trail {
            switch step {
            case .member(let key): path = JSONPath.member(path, key)
            case .index(let position): path += "[\(position)]"
            }
        }
        return CodegenError(file: file, path: path, message: "invalid schema: \(rule)")
    }

    /// `type`: one JSON Schema type or a non-empty array of distinct ones.
    private mutating func declaredTypes(_ value: OrderedJSON?) throws(CodegenError) -> [String] {
        guard let value else { return [] }
        guard let list = value.items else {
            guard let type = value.string, Self.types.contains(type) else { throw unknownType(value) }
            return [type]
        }
        guard !list.isEmpty else { throw failure("expected a type or a non-empty array of types") }
        var types: [String] = []
        for (position, name) in list.enumerated() {
            trail.append(.index(position))
            guard let type = name.string, Self.types.contains(type) else { throw unknownType(name) }
            guard !types.contains(type) else { throw failure("type \"\(type)\" is listed twice") }
            types.append(type)
            trail.removeLast()
        }
        return types
    }

    private func unknownType(_ name: OrderedJSON) -> CodegenError {
        failure("\(name.valueDescription) is not a JSON Schema type (\(Self.types.sorted().joined(separator: ", ")))")
    }

    private func number(_ value: OrderedJSON, integer: Bool) throws(CodegenError) {
        guard value.double != nil else { throw failure("expected a number, found \(value.kindDescription)") }
        if integer, value.int == nil { throw failure("expected an integer (the schema's type is integer), found \(value.valueDescription)") }
    }

    private func stringValue(_ value: OrderedJSON, acceptsNull: Bool) throws(CodegenError) {
        if value.string != nil || (acceptsNull && value == .null) { return }
        throw failure("expected a string (the schema's type is string), found \(value.valueDescription)")
    }
}
