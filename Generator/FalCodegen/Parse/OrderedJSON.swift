import FalCore

/// A JSON tree that keeps object members in document order.
///
/// Foundation's decoders hand out object keys in hash order, which differs between runs; the generator
/// must be byte-for-byte deterministic and, for objects without `x-fal-order-properties`, follow the
/// order fal wrote the properties in. So schemas are read into this tree (overlays are applied to it too).
public indirect enum OrderedJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number as written, so integers stay exact and `1.0` stays distinguishable from `1`.
    case number(String)
    case string(String)
    case array([OrderedJSON])
    case object([(key: String, value: OrderedJSON)])

    public static func == (lhs: OrderedJSON, rhs: OrderedJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .number(let value): hasher.combine(value)
        case .string(let value): hasher.combine(value)
        case .array(let items): hasher.combine(items)
        case .object(let members):
            for member in members { hasher.combine(member.key); hasher.combine(member.value) }
        }
    }

    public subscript(key: String) -> OrderedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    public var members: [(key: String, value: OrderedJSON)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var items: [OrderedJSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var double: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// An integer value: `3` or `3.0`; nil for fractions and non-numbers.
    public var int: Int? {
        guard case .number(let text) = self else { return nil }
        if let value = Int(text) { return value }
        if let value = Double(text), value.rounded() == value, abs(value) < 9.0e15 { return Int(value) }
        return nil
    }

    /// The same value as FalCore's `JSONValue` (member order is not kept there).
    public var jsonValue: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .number(let text):
            if let value = Int(text) { return .int(value) }
            return .double(Double(text) ?? 0)
        case .string(let value): return .string(value)
        case .array(let items): return .array(items.map(\.jsonValue))
        case .object(let members):
            var object: [String: JSONValue] = [:]
            for member in members { object[member.key] = member.value.jsonValue }
            return .object(object)
        }
    }

    /// Replaces (or appends) one member of an object; other values are returned unchanged.
    public func setting(_ key: String, to value: OrderedJSON) -> OrderedJSON {
        guard case .object(var members) = self else { return self }
        if let position = members.firstIndex(where: { $0.key == key }) {
            members[position].value = value
        } else {
            members.append((key, value))
        }
        return .object(members)
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
