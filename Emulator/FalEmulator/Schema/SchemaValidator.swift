import FalCodegen
import FalCore

/// The emulator's request validator: checks raw JSON against the generator's IR (the one schema model,
/// so the emulator cannot drift from the generated code) with JSON Schema (Draft 2020-12) semantics,
/// phrasing every issue with FalCore's `Rule` helpers, exactly as generated `validate()` methods do.
///
/// It lives with the emulator because the emulator is its user: the SDK's own types validate themselves.
/// Use it where there is no generated type:
///
///     let document = try DocumentLoader.load(file: "schemas/fal-ai__illusion-diffusion.json", overlays: overlays)
///     let validator = SchemaValidator(endpoint: document.endpoint)
///     let issues = validator.validateInput(body)   // [ValidationIssue], e.g. "image_size.width: 1001 is not a multiple of 8"
///
/// All violations are collected. Paths use fal's JSON keys (`loras[0].scale`). Unions report the issues
/// of the single alternative whose JSON type fits the value (so `image_size.width` is named), or a
/// "matches none" issue when no alternative or several do. `format` is not asserted (as in `jsonschema`).
public struct SchemaValidator: Sendable {
    public let endpoint: Endpoint

    public init(endpoint: Endpoint) { self.endpoint = endpoint }

    /// Issues of a request body against the endpoint's Input schema (none when there is no Input schema).
    public func validateInput(_ value: JSONValue) -> [ValidationIssue] {
        guard let input = endpoint.input else { return [] }
        return validate(value, against: input)
    }

    /// Issues of a result body against the endpoint's Output schema.
    public func validateOutput(_ value: JSONValue) -> [ValidationIssue] {
        guard let output = endpoint.output else { return [] }
        return validate(value, against: output)
    }

    public func validate(_ value: JSONValue, against schema: Schema, at path: FieldPath = .root) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        validate(value, schema, at: path, into: &issues)
        return issues
    }

    public func validate(_ value: JSONValue, _ schema: Schema, at path: FieldPath, into issues: inout [ValidationIssue]) {
        let schema = endpoint.resolve(schema)
        if value == .null, schema.meta.nullable { return }
        switch schema.kind {
        case .any, .reference:
            return
        case .null:
            if value != .null { Rule.type(expected: "null", actual: value, at: path, into: &issues) }
        case .boolean:
            guard case .bool = value else { return Rule.type(expected: "boolean", actual: value, at: path, into: &issues) }
        case .integer(let constraints):
            guard let number = value.number, value.schemaTypeName == "integer" else {
                return Rule.type(expected: "integer", actual: value, at: path, into: &issues)
            }
            check(number, constraints, at: path, into: &issues)
        case .number(let constraints):
            guard let number = value.number else { return Rule.type(expected: "number", actual: value, at: path, into: &issues) }
            check(number, constraints, at: path, into: &issues)
        case .string(let constraints):
            guard let string = value.stringValue else { return Rule.type(expected: "string", actual: value, at: path, into: &issues) }
            if let bound = constraints.minLength { Rule.minLength(string, bound, at: path, into: &issues) }
            if let bound = constraints.maxLength { Rule.maxLength(string, bound, at: path, into: &issues) }
            if let pattern = constraints.pattern { Rule.pattern(string, pattern, at: path, into: &issues) }
        case .stringEnum(let allowed):
            Rule.oneOf(value, allowed.map(JSONValue.string), at: path, into: &issues)
        case .integerEnum(let allowed):
            Rule.oneOf(value, allowed.map(JSONValue.int), at: path, into: &issues)
        case .mixedEnum(let allowed):
            Rule.oneOf(value, allowed, at: path, into: &issues)
        case .constant(let expected):
            Rule.const(value, expected, at: path, into: &issues)
        case .array(let array):
            guard let items = value.arrayValue else { return Rule.type(expected: "array", actual: value, at: path, into: &issues) }
            if let bound = array.minItems { Rule.minItems(items.count, bound, at: path, into: &issues) }
            if let bound = array.maxItems { Rule.maxItems(items.count, bound, at: path, into: &issues) }
            if array.uniqueItems { Rule.uniqueItems(items, at: path, into: &issues) }
            for (position, item) in items.enumerated() {
                let itemSchema = position < array.prefixItems.count ? array.prefixItems[position] : array.items
                if let itemSchema { validate(item, itemSchema, at: path.index(position), into: &issues) }
            }
        case .object(let object):
            guard let members = value.objectValue else { return Rule.type(expected: "object", actual: value, at: path, into: &issues) }
            validate(members, object, at: path, into: &issues)
        case .union(let union):
            validate(value, union, at: path, into: &issues)
        case .allOf(let parts):
            for part in parts { validate(value, part, at: path, into: &issues) }
        }
    }

    private func check(_ number: Double, _ constraints: NumericConstraints, at path: FieldPath, into issues: inout [ValidationIssue]) {
        if let bound = constraints.minimum { Rule.minimum(number, bound, at: path, into: &issues) }
        if let bound = constraints.maximum { Rule.maximum(number, bound, at: path, into: &issues) }
        if let bound = constraints.exclusiveMinimum { Rule.exclusiveMinimum(number, bound, at: path, into: &issues) }
        if let bound = constraints.exclusiveMaximum { Rule.exclusiveMaximum(number, bound, at: path, into: &issues) }
        if let divisor = constraints.multipleOf { Rule.multipleOf(number, divisor, at: path, into: &issues) }
    }

    private func validate(_ members: [String: JSONValue], _ object: ObjectSchema, at path: FieldPath, into issues: inout [ValidationIssue]) {
        for name in object.required where members[name] == nil {
            Rule.required(at: path.key(name), into: &issues)
        }
        for property in object.properties {
            if let member = members[property.name] { validate(member, property.schema, at: path.key(property.name), into: &issues) }
        }
        let declared = Set(object.properties.map(\.name))
        for key in members.keys.sorted() where !declared.contains(key) {
            switch object.additionalProperties {
            case .allowed: break
            case .forbidden: Rule.unexpectedProperty(at: path.key(key), into: &issues)
            case .schema(let schema): validate(members[key]!, schema, at: path.key(key), into: &issues)
            }
        }
    }

    private func validate(_ value: JSONValue, _ union: UnionSchema, at path: FieldPath, into issues: inout [ValidationIssue]) {
        let outcomes = union.alternatives.map { self.validate(value, against: $0, at: path) }
        let matching = outcomes.filter(\.isEmpty).count
        if union.exclusive ? matching == 1 : matching >= 1 { return }
        if matching > 1 { return Rule.ambiguousAlternatives(matching, at: path, into: &issues) }
        let fitting = union.alternatives.indices.filter { accepts(value, union.alternatives[$0]) }
        if fitting.count == 1 {
            issues.append(contentsOf: outcomes[fitting[0]])
        } else {
            Rule.noAlternativeMatches(value, expected: union.alternatives.map(label), at: path, into: &issues)
        }
    }

    /// Whether the value's JSON type is one the schema could accept, ignoring every other constraint.
    public func accepts(_ value: JSONValue, _ schema: Schema) -> Bool {
        let schema = endpoint.resolve(schema)
        if value == .null { return schema.meta.nullable || schema.kind == .null || schema.kind == .any }
        switch schema.kind {
        case .any, .reference: return true
        case .null: return false
        case .boolean: if case .bool = value { return true } else { return false }
        case .integer: return value.schemaTypeName == "integer"
        case .number: return value.number != nil
        case .string, .stringEnum: return value.stringValue != nil
        case .integerEnum: return value.schemaTypeName == "integer"
        case .mixedEnum(let allowed): return allowed.contains { $0.schemaTypeName == value.schemaTypeName }
        case .constant(let expected): return expected.schemaTypeName == value.schemaTypeName
        case .array: return value.arrayValue != nil
        case .object: return value.objectValue != nil
        case .union(let union): return union.alternatives.contains { accepts(value, $0) }
        case .allOf(let parts): return parts.allSatisfy { accepts(value, $0) }
        }
    }

    /// How an alternative is named in a "matches none" message: its component name or JSON type.
    func label(_ schema: Schema) -> String {
        if case .reference(let name) = schema.kind { return name }
        switch schema.kind {
        case .any: return "any"
        case .null: return "null"
        case .boolean: return "boolean"
        case .integer, .integerEnum: return "integer"
        case .number: return "number"
        case .string, .stringEnum: return "string"
        case .mixedEnum, .constant: return "constant"
        case .array: return "array"
        case .object: return "object"
        case .union(let union): return union.alternatives.map(label).joined(separator: " | ")
        case .allOf: return "all-of"
        case .reference(let name): return name
        }
    }
}
