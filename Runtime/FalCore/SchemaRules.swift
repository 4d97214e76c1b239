/// Rules only a schema-driven validator needs (a typed Swift value already guarantees them), kept
/// next to the others so the emulator's 422 answers and generated `validate()` phrase alike.
extension Rule {
    /// The value has the wrong JSON type, e.g. `expected integer, got string`.
    public static func type(expected: String, actual: JSONValue, at path: FieldPath, into issues: inout [ValidationIssue]) {
        issues.append(.init(path: path, message: "expected \(expected), got \(actual.schemaTypeName)"))
    }

    /// A `const` keyword: the value must equal `expected` exactly.
    public static func const(_ value: JSONValue, _ expected: JSONValue, at path: FieldPath, into issues: inout [ValidationIssue]) {
        if !JSONValue.schemaEqual(value, expected) {
            issues.append(.init(path: path, message: "\(value.compactText) is not the constant \(expected.compactText)"))
        }
    }

    /// Typed overload for string constants, what generated code calls.
    public static func const(_ value: String, _ expected: String, at path: FieldPath, into issues: inout [ValidationIssue]) {
        const(.string(value), .string(expected), at: path, into: &issues)
    }

    /// Enum membership for any JSON value (integer enums, mixed enums).
    public static func oneOf(_ value: JSONValue, _ allowed: [JSONValue], at path: FieldPath, into issues: inout [ValidationIssue]) {
        if !allowed.contains(where: { JSONValue.schemaEqual($0, value) }) {
            issues.append(notOneOf(value.compactText, allowed.map(\.compactText), at: path))
        }
    }

    /// Typed overload for integer enums.
    public static func oneOf(_ value: Int, _ allowed: [Int], at path: FieldPath, into issues: inout [ValidationIssue]) {
        if !allowed.contains(value) { issues.append(notOneOf(String(value), allowed.map(String.init), at: path)) }
    }

    /// No alternative of an `anyOf`/`oneOf` accepts the value; `expected` names the alternatives.
    public static func noAlternativeMatches(_ value: JSONValue, expected: [String], at path: FieldPath, into issues: inout [ValidationIssue]) {
        issues.append(.init(path: path, message: "\(value.schemaTypeName) value matches none of \(expected.joined(separator: " | "))"))
    }

    /// A `oneOf` whose value fits several alternatives at once.
    public static func ambiguousAlternatives(_ count: Int, at path: FieldPath, into issues: inout [ValidationIssue]) {
        issues.append(.init(path: path, message: "matches \(count) alternatives where exactly one is allowed"))
    }

    /// A key the schema forbids (`additionalProperties: false`).
    public static func unexpectedProperty(at path: FieldPath, into issues: inout [ValidationIssue]) {
        issues.append(.init(path: path, message: "is not an allowed property"))
    }

    /// `uniqueItems: true`: reports the first repeated element. Linear (hashed as JSON Schema compares):
    /// a request body may carry a million items, and comparing each with every earlier one would stall.
    public static func uniqueItems(_ items: [JSONValue], at path: FieldPath, into issues: inout [ValidationIssue]) {
        var seen = Set<JSONValue.SchemaKey>()
        for (position, item) in items.enumerated() where !seen.insert(JSONValue.SchemaKey(value: item)).inserted {
            issues.append(.init(path: path, message: "has duplicate item at index \(position)"))
            return
        }
    }

    /// `uniqueItems: true` for typed arrays, what generated code calls: reports the first element equal (`==`)
    /// to an earlier one as "has duplicate item at index N".
    public static func uniqueItems<Element: Hashable>(_ items: [Element], at path: FieldPath, into issues: inout [ValidationIssue]) {
        var seen = Set<Element>()
        for (position, item) in items.enumerated() where !seen.insert(item).inserted {
            issues.append(.init(path: path, message: "has duplicate item at index \(position)"))
            return
        }
    }
}

extension JSONValue {
    /// A value compared as JSON Schema compares (`schemaEqual`) and hashed to match: `1` and `1.0` are one key.
    struct SchemaKey: Hashable {
        let value: JSONValue

        static func == (lhs: SchemaKey, rhs: SchemaKey) -> Bool { JSONValue.schemaEqual(lhs.value, rhs.value) }

        func hash(into hasher: inout Hasher) { Self.hash(value, into: &hasher) }

        private static func hash(_ value: JSONValue, into hasher: inout Hasher) {
            switch value {
            case .null: hasher.combine(0)
            case .bool(let flag): hasher.combine(1); hasher.combine(flag)
            case .int(let number): hasher.combine(2); hasher.combine(Double(number))  // schemaEqual compares numbers as Doubles
            case .double(let number): hasher.combine(2); hasher.combine(number)
            case .string(let text): hasher.combine(3); hasher.combine(text)
            case .array(let items):
                hasher.combine(4)
                hasher.combine(items.count)
                for item in items { hash(item, into: &hasher) }
            case .object(let members):
                hasher.combine(5)
                hasher.combine(members.count)
                for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                    hasher.combine(key)
                    hash(member, into: &hasher)
                }
            }
        }
    }

    /// Equality as JSON Schema defines it: `1` equals `1.0`, `true` never equals `1`.
    public static func schemaEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
            return lhs.number == rhs.number
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { schemaEqual($0, $1) }
        case (.object(let left), .object(let right)):
            return left.count == right.count && left.allSatisfy { key, value in right[key].map { schemaEqual(value, $0) } ?? false }
        default:
            return lhs == rhs
        }
    }

    /// Compact JSON text with sorted keys, for messages and doc comments: `{"a":1}`, `"Euler"`.
    public var compactText: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return value.isFinite ? Rule.format(value) : "null"
        case .string(let value): return Rule.quote(value)
        case .array(let items): return "[" + items.map(\.compactText).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { Rule.quote($0) + ":" + members[$0]!.compactText }.joined(separator: ",") + "}"
        }
    }
}
