/// An arbitrary JSON value: what untyped schema parts (`additionalProperties: true`, `{}`) become,
/// and what the emulator and the schema validator work on. Never `Any`.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number that `Int` holds exactly (`2`, also `2.0` and `2e0`, as `JSONDecoder` reads them).
    case int(Int)
    /// A number `Int` cannot hold exactly: one with a fraction, or beyond `Int`'s range.
    case double(Double)
    /// A JSON string, its escapes resolved.
    case string(String)
    /// A JSON array, in order.
    case array([JSONValue])
    /// A JSON object; the order of its members is not kept.
    case object([String: JSONValue])

    /// The numeric value, for `int` and `double`.
    public var number: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The text of a `.string`; nil for every other case.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The members of an `.object`; nil for every other case.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements of an `.array`; nil for every other case.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// Member `key` of an `.object`; nil when it is absent or this is not an object.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The JSON-schema type name of this value (`integer` for integral numbers, as JSON Schema counts them).
    public var schemaTypeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double(let value): return value.rounded() == value && value.isFinite ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue: Codable {
    /// Decodes any JSON: integral numbers that fit `Int` become `.int`, other numbers `.double`.
    public init(from decoder: any Decoder) throws {
        if let tape = decoder as? TapeDecoder {
            // The tape knows each value's kind: no trying one type after another.
            self = try tape.jsonValue(at: tape.index, step: .none)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the JSON this value stands for.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// A string literal is a `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal is an `.int`.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A float literal is a `.double`, even when integral (`2.0`).
    public init(floatLiteral value: Double) { self = .double(value) }
    /// `true` and `false` are `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array literal is an `.array`.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A dictionary literal is an `.object`; of repeated keys the last wins.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    /// `nil` is `.null`.
    public init(nilLiteral: ()) { self = .null }
}

/// Untyped inputs and outputs: any JSON can be sent to or read from an endpoint without generated types.
/// Such input carries no schema constraints locally; the server still validates it.
extension JSONValue: FalInput, FalOutput {
    /// Records nothing: untyped JSON has no schema to check locally.
    public func validate(at path: FieldPath, into issues: inout [ValidationIssue]) {}
}
