import FalCore

/// Emits the body of a generated `validate(at:into:)`: one `Rule` call per constraint, loops over
/// arrays and dictionaries, and calls into nested types, so every violation is collected.
enum ValidationEmitter {
    /// Lines checking `expression` (of the slot's Swift type) at the `FieldPath` expression `path`. Named
    /// types not in `validating` check nothing, so no call into them is emitted.
    static func checks(_ expression: String, _ slot: Slot, path: String, validating: Set<String>, depth: Int = 0) -> [String] {
        if slot.optional {
            var unwrapped = slot
            unwrapped.optional = false
            let name = "value\(depth)"
            let inner = checks(name, unwrapped, path: path, validating: validating, depth: depth + 1)
            if inner.isEmpty { return [] }
            return ["if let \(name) = \(expression) {"] + inner.map { "    " + $0 } + ["}"]
        }
        let rule = { (call: String) in "Rule.\(call), at: \(path), into: &issues)" }
        switch slot.type {
        case .named(let name), .indirect(let name):
            return validating.contains(name) ? ["\(expression).validate(at: \(path), into: &issues)"] : []
        case .bool, .shared:
            return []
        case .int, .double:
            switch slot.schema.kind {
            case .integer(let constraints), .number(let constraints):
                return numeric(expression, constraints).map(rule)
            case .integerEnum(let allowed):
                return [rule("oneOf(\(expression), [\(allowed.map(String.init).joined(separator: ", "))]")]
            default: return []
            }
        case .string:
            return stringChecks(expression, slot.schema).map(rule)
        case .file:
            let inner = stringChecks("url", slot.schema).map(rule)
            if inner.isEmpty { return [] }
            return ["if let url = \(expression).remoteURL {"] + inner.map { "    " + $0 } + ["}"]
        case .json:
            switch slot.schema.kind {
            case .mixedEnum(let allowed): return [rule("oneOf(\(expression), [\(allowed.map(SwiftSyntax.json).joined(separator: ", "))]")]
            case .constant(let value): return [rule("const(\(expression), \(SwiftSyntax.json(value))")]
            default: return []
            }
        case .array(let element):
            var lines: [String] = []
            if case .array(let array) = slot.schema.kind {
                if let bound = array.minItems { lines.append(rule("minItems(\(expression).count, \(bound)")) }
                if let bound = array.maxItems { lines.append(rule("maxItems(\(expression).count, \(bound)")) }
                if array.uniqueItems { lines.append(rule("uniqueItems(\(expression)")) }
            }
            let index = "index\(depth)", item = "element\(depth)"
            let inner = checks(item, element, path: "\(path).index(\(index))", validating: validating, depth: depth + 1)
            if !inner.isEmpty {
                lines.append("for (\(index), \(item)) in \(expression).enumerated() {")
                lines += inner.map { "    " + $0 }
                lines.append("}")
            }
            return lines
        case .map(let value):
            let key = "key\(depth)", item = "element\(depth)"
            let inner = checks(item, value, path: "\(path).key(\(key))", validating: validating, depth: depth + 1)
            if inner.isEmpty { return [] }
            return ["for (\(key), \(item)) in \(expression).sorted(by: { $0.key < $1.key }) {"] + inner.map { "    " + $0 } + ["}"]
        }
    }

    private static func numeric(_ expression: String, _ constraints: NumericConstraints) -> [String] {
        var calls: [String] = []
        if let bound = constraints.minimum { calls.append("minimum(\(expression), \(SwiftSyntax.number(bound))") }
        if let bound = constraints.maximum { calls.append("maximum(\(expression), \(SwiftSyntax.number(bound))") }
        if let bound = constraints.exclusiveMinimum { calls.append("exclusiveMinimum(\(expression), \(SwiftSyntax.number(bound))") }
        if let bound = constraints.exclusiveMaximum { calls.append("exclusiveMaximum(\(expression), \(SwiftSyntax.number(bound))") }
        if let divisor = constraints.multipleOf { calls.append("multipleOf(\(expression), \(SwiftSyntax.number(divisor))") }
        return calls
    }

    private static func stringChecks(_ expression: String, _ schema: Schema) -> [String] {
        switch schema.kind {
        case .string(let constraints):
            var calls: [String] = []
            if let bound = constraints.minLength { calls.append("minLength(\(expression), \(bound)") }
            if let bound = constraints.maxLength { calls.append("maxLength(\(expression), \(bound)") }
            if let pattern = constraints.pattern { calls.append("pattern(\(expression), \(SwiftSyntax.literal(pattern))") }
            return calls
        case .constant(.string(let value)):
            return ["const(\(expression), \(SwiftSyntax.literal(value))"]
        default:
            return []
        }
    }
}
