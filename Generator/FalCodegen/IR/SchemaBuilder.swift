import FalCore

/// Turns the JSON of one schema (as fal writes it) into `Schema`, collecting the components it references.
///
/// It reads the keywords from the ordered document tree, which keeps member order (the generated property
/// order), both of `minimum`/`exclusiveMinimum` and `prefixItems`, all of which the validator needs exactly.
struct SchemaBuilder {
    let document: OrderedJSON
    let file: String
    private(set) var components: [String: Schema] = [:]
    private(set) var componentOrder: [String] = []
    private(set) var diagnostics: [Diagnostic] = []
    private var pending: [(name: String, pointer: String, target: OrderedJSON)] = []
    private var known: [String: String] = [:]  // pointer → component name

    init(document: OrderedJSON, file: String) {
        self.document = document
        self.file = file
    }

    /// Builds the schema at `path` (for diagnostics) and every component reachable from it.
    mutating func build(_ json: OrderedJSON, at path: String) -> Schema {
        let schema = schema(json, at: path, propertyName: nil)
        while let next = pending.popLast() {
            components[next.name] = self.schema(next.target, at: pointerPath(next.pointer), propertyName: nil)
        }
        return schema
    }

    private mutating func warn(_ path: String, _ message: String) {
        diagnostics.append(Diagnostic(file: file, path: path, message: message))
    }

    private func pointerPath(_ pointer: String) -> String {
        pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            .reduce("$") { JSONPath.member($0, Self.unescape(String($1))) }
    }

    private static func unescape(_ token: String) -> String {
        let unescaped = token.utf8.contains(UInt8(ascii: "~"))
            ? token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") : token
        return unescaped.removingPercentEncodingIfNeeded()
    }

    private static func resolvePointer(_ pointer: String, in document: OrderedJSON) -> OrderedJSON? {
        guard pointer.hasPrefix("#") else { return nil }
        var node = document
        for token in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = Self.unescape(String(token))
            if let items = node.items, let position = Int(key), items.indices.contains(position) {
                node = items[position]
            } else if let child = node[key] {
                node = child
            } else {
                return nil
            }
        }
        return node
    }

    /// A component name for a `$ref`: the schema name for `#/components/schemas/X`, else the last
    /// pointer segment, made unique. Nil when the pointer does not resolve (`target` is asked once per pointer).
    private mutating func componentName(for pointer: String, target: @autoclosure () -> OrderedJSON?) -> String? {
        if let name = known[pointer] { return name }
        guard let target = target() else { return nil }
        let prefix = "#/components/schemas/"
        var base: String
        if pointer.hasPrefix(prefix), !pointer.dropFirst(prefix.count).contains("/") {
            base = Self.unescape(String(pointer.dropFirst(prefix.count)))
        } else {
            base = Self.unescape(String(pointer.split(separator: "/").last ?? "Schema"))
        }
        if base.isEmpty { base = "Schema" }
        var name = base
        var counter = 2
        while known.values.contains(name) { name = "\(base)\(counter)"; counter += 1 }
        known[pointer] = name
        componentOrder.append(name)
        pending.append((name, pointer, target))
        return name
    }

    private mutating func metadata(_ json: OrderedJSON, propertyName: String?) -> Schema.Metadata {
        var meta = Schema.Metadata()
        meta.title = json["title"]?.string
        meta.description = json["description"]?.string
        meta.defaultValue = json["default"]?.jsonValue
        if let examples = json["examples"]?.items {
            meta.examples = examples.map(\.jsonValue).filter { $0 != .null }
        } else if let example = json["example"], example != .null {
            meta.examples = [example.jsonValue]
        }
        meta.deprecated = json["deprecated"]?.bool ?? false
        meta.nullable = json["nullable"]?.bool ?? false
        meta.isFileInput = json["x-fal-file-input"]?.bool ?? false
        return meta
    }

    private mutating func schema(_ json: OrderedJSON, at path: String, propertyName: String?) -> Schema {
        if let flag = json.bool {
            if !flag { warn(path, "`false` schema (no value allowed) is treated as any value") }
            return Schema(.any)
        }
        guard json.members != nil else {
            warn(path, "schema is not an object; treated as any value")
            return Schema(.any)
        }
        var meta = metadata(json, propertyName: propertyName)
        var result: Schema

        if let reference = json["$ref"]?.string {
            // A pointer is resolved once, when first seen; later uses find its component name.
            let document = self.document
            guard reference.hasPrefix("#"), let name = componentName(for: reference, target: Self.resolvePointer(reference, in: document)) else {
                warn(path + ".$ref", "cannot resolve \(reference); treated as any value")
                return Schema(.any, meta: meta)
            }
            result = Schema(.reference(name), meta: meta)
        } else if let alternatives = (json["anyOf"] ?? json["oneOf"])?.items {
            result = union(alternatives, exclusive: json["anyOf"] == nil, json: json, meta: meta, at: path + (json["anyOf"] == nil ? ".oneOf" : ".anyOf"))
        } else if let parts = json["allOf"]?.items {
            let built = parts.enumerated().map { schema($1, at: "\(path).allOf[\($0)]", propertyName: nil) }
            if built.count == 1 {
                result = built[0]
                result.meta = Schema.merge(outer: meta, inner: built[0].meta)
            } else {
                result = Schema(.allOf(built), meta: meta)
            }
        } else if let constant = json["const"] {
            result = Schema(.constant(constant.jsonValue), meta: meta)
        } else if let values = json["enum"]?.items {
            result = enumeration(values, meta: &meta, at: path)
        } else {
            result = typed(json, meta: &meta, at: path)
        }
        if json["not"] != nil { warn(path + ".not", "`not` is not enforced") }

        if result.meta.isFileInput == false, let propertyName, Self.looksLikeFileInput(propertyName, result.kind) {
            result.meta.isFileInput = true
        }
        return result
    }

    /// fal's convention for file inputs when `x-fal-file-input` is absent: `*_url` strings, `*_urls` string
    /// arrays, and a `*_url` / `*_urls` union of those (lora's `ip_adapter_image_url`: one URL or several).
    static func looksLikeFileInput(_ name: String, _ kind: Schema.Kind) -> Bool {
        switch kind {
        case .string: return name.hasSuffix("_url")
        case .array(let array):
            if case .string? = array.items?.kind { return name.hasSuffix("_urls") }
            return false
        case .union(let union):
            guard name.hasSuffix("_url") || name.hasSuffix("_urls") else { return false }
            return union.alternatives.allSatisfy { alternative in
                switch alternative.kind {
                case .string: return true
                case .array(let array): if case .string? = array.items?.kind { return true } else { return false }
                default: return false
                }
            }
        default: return false
        }
    }

    private mutating func union(_ alternatives: [OrderedJSON], exclusive: Bool, json: OrderedJSON, meta: Schema.Metadata, at path: String) -> Schema {
        var meta = meta
        var options: [Schema] = []
        for (position, alternative) in alternatives.enumerated() {
            if alternative["type"]?.string == "null" {
                meta.nullable = true
                continue
            }
            options.append(schema(alternative, at: "\(path)[\(position)]", propertyName: nil))
        }
        if options.isEmpty { return Schema(.null, meta: meta) }
        if options.count == 1 {
            var single = options[0]
            single.meta = Schema.merge(outer: meta, inner: single.meta)
            return single
        }
        return Schema(.union(UnionSchema(alternatives: options, exclusive: exclusive, discriminator: discriminator(json["discriminator"]))), meta: meta)
    }

    /// `discriminator` with its `mapping` targets as component names (a target that does not resolve is left out:
    /// its value then decodes like an unmapped one).
    private mutating func discriminator(_ json: OrderedJSON?) -> UnionSchema.Discriminator? {
        guard let json, let property = json["propertyName"]?.string else { return nil }
        var mapping: [UnionSchema.Discriminator.Mapping] = []
        let document = self.document
        for member in json["mapping"]?.members ?? [] {
            guard let target = member.value.string, target.hasPrefix("#"),
                let name = componentName(for: target, target: Self.resolvePointer(target, in: document))
            else { continue }
            mapping.append(.init(value: member.key, component: name))
        }
        return UnionSchema.Discriminator(propertyName: property, mapping: mapping)
    }

    private mutating func enumeration(_ values: [OrderedJSON], meta: inout Schema.Metadata, at path: String) -> Schema {
        var converted: [JSONValue] = []
        // Repeated values mean nothing to JSON Schema but would be duplicate Swift cases.
        var seen = Set<JSONValue>()
        for value in values.map(\.jsonValue) where seen.insert(value).inserted { converted.append(value) }
        if converted.contains(.null) {
            meta.nullable = true
            converted.removeAll { $0 == .null }
        }
        let strings = converted.compactMap(\.stringValue)
        if strings.count == converted.count, !strings.isEmpty { return Schema(.stringEnum(strings), meta: meta) }
        let integers = converted.compactMap { value -> Int? in if case .int(let number) = value { return number } else { return nil } }
        if integers.count == converted.count, !integers.isEmpty { return Schema(.integerEnum(integers), meta: meta) }
        if converted.isEmpty { return Schema(.null, meta: meta) }
        return Schema(.mixedEnum(converted), meta: meta)
    }

    private mutating func typed(_ json: OrderedJSON, meta: inout Schema.Metadata, at path: String) -> Schema {
        var types: [String] = []
        if let single = json["type"]?.string { types = [single] }
        if let list = json["type"]?.items { types = list.compactMap(\.string) }
        if types.contains("null") {
            meta.nullable = true
            types.removeAll { $0 == "null" }
            if types.isEmpty, json["type"] != nil { return Schema(.null, meta: meta) }
        }
        if types.isEmpty {
            if json["properties"] != nil || json["additionalProperties"] != nil || json["required"] != nil { types = ["object"] }
            else if json["items"] != nil || json["prefixItems"] != nil { types = ["array"] }
        }
        if types.count > 1 {
            let options = types.map { Schema(kind(of: $0, json, at: path)) }
            return Schema(.union(UnionSchema(alternatives: options, exclusive: false)), meta: meta)
        }
        guard let type = types.first else { return Schema(.any, meta: meta) }
        return Schema(kind(of: type, json, at: path), meta: meta)
    }

    private mutating func kind(of type: String, _ json: OrderedJSON, at path: String) -> Schema.Kind {
        switch type {
        case "boolean": return .boolean
        case "integer": return .integer(numeric(json))
        case "number": return .number(numeric(json))
        case "string":
            var constraints = StringConstraints()
            constraints.minLength = json["minLength"]?.int
            constraints.maxLength = json["maxLength"]?.int
            constraints.pattern = json["pattern"]?.string
            return .string(constraints)
        case "array":
            var array = ArraySchema(items: nil)
            if let items = json["items"], items.items == nil { array.items = schema(items, at: path + ".items", propertyName: nil) }
            if let prefix = json["prefixItems"]?.items ?? json["items"]?.items {
                array.prefixItems = prefix.enumerated().map { schema($1, at: "\(path).prefixItems[\($0)]", propertyName: nil) }
            }
            array.minItems = json["minItems"]?.int
            array.maxItems = json["maxItems"]?.int
            array.uniqueItems = json["uniqueItems"]?.bool ?? false
            return .array(array)
        case "object": return .object(object(json, at: path))
        default:
            warn(path + ".type", "unknown type \(type); treated as any value")
            return .any
        }
    }

    private func numeric(_ json: OrderedJSON) -> NumericConstraints {
        var constraints = NumericConstraints()
        constraints.minimum = json["minimum"]?.double
        constraints.maximum = json["maximum"]?.double
        // OpenAPI 3.0's boolean form modifies minimum/maximum; 3.1's numeric form is a bound of its own.
        if let exclusive = json["exclusiveMinimum"] {
            if let bound = exclusive.double { constraints.exclusiveMinimum = bound }
            else if exclusive.bool == true { constraints.exclusiveMinimum = constraints.minimum; constraints.minimum = nil }
        }
        if let exclusive = json["exclusiveMaximum"] {
            if let bound = exclusive.double { constraints.exclusiveMaximum = bound }
            else if exclusive.bool == true { constraints.exclusiveMaximum = constraints.maximum; constraints.maximum = nil }
        }
        if let divisor = json["multipleOf"]?.double, divisor > 0 { constraints.multipleOf = divisor }
        return constraints
    }

    private mutating func object(_ json: OrderedJSON, at path: String) -> ObjectSchema {
        let members = json["properties"]?.members ?? []
        let falOrder = json["x-fal-order-properties"]?.items
        // A name listed twice counts once, where it first appears: a duplicate made two stored properties and two
        // parameters of one label (found by the OpenAPIDocument fuzzer through the report's self-comparison).
        var seen = Set<String>()
        var order = (falOrder ?? []).compactMap(\.string).filter { name in
            members.contains(where: { $0.key == name }) && seen.insert(name).inserted
        }
        for member in members where !seen.contains(member.key) {
            order.append(member.key)
            seen.insert(member.key)
        }
        var properties: [ObjectSchema.Property] = []
        for name in order {
            guard let value = members.first(where: { $0.key == name })?.value else { continue }
            properties.append(.init(name: name, schema: schema(value, at: JSONPath.member(path + ".properties", name), propertyName: name)))
        }
        let required = (json["required"]?.items ?? []).compactMap(\.string)
        let additional: ObjectSchema.AdditionalProperties
        switch json["additionalProperties"] {
        case nil, .bool(true)?: additional = .allowed
        case .bool(false)?: additional = .forbidden
        case let value?: additional = .schema(schema(value, at: path + ".additionalProperties", propertyName: nil))
        }
        if json["patternProperties"] != nil { warn(path + ".patternProperties", "`patternProperties` is not enforced") }
        return ObjectSchema(properties: properties, required: required, additionalProperties: additional, hasFalOrder: falOrder != nil)
    }
}

extension String {
    /// JSON pointers in `$ref` may be percent-encoded (`#/components/schemas/A%20B`).
    func removingPercentEncodingIfNeeded() -> String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
