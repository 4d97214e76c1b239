import Foundation

/// Any MessagePack value, as fal's realtime WebSocket protocol sends inputs and results: the bytes read by
/// `MessagePackReader` and written by `MessagePackWriter`.
///
/// Equality is structural and follows the encoding, so two values are equal exactly when they encode to the
/// same bytes:
/// - integers compare by number: `.int(5) == .uint(5)` (both are the positive fixint `0x05`);
/// - `.float` and `.double` differ (float32 and float64 are different formats) and compare by bit pattern,
///   so `NaN` equals the same `NaN` and `0.0` differs from `-0.0`;
/// - strings compare by their UTF-8 bytes, not by Unicode canonical equivalence as `String` does;
/// - maps compare entry by entry, in order.
public enum MessagePackValue: Sendable {
    /// `nil` (format `0xc0`).
    case `nil`
    /// `true` or `false` (`0xc3`, `0xc2`).
    case bool(Bool)
    /// A signed integer. The reader gives `.int` for every integer `Int64` holds.
    case int(Int64)
    /// An unsigned integer. The reader gives `.uint` only above `Int64.max`.
    case uint(UInt64)
    /// A float32 (`0xca`).
    case float(Float)
    /// A float64 (`0xcb`); every floating-point number Python's `msgpack` writes is one.
    case double(Double)
    /// A UTF-8 string (fixstr, str8, str16, str32).
    case string(String)
    /// Raw bytes (bin8, bin16, bin32).
    case binary(Data)
    /// An array, in order.
    case array([MessagePackValue])
    /// A map in the order of its entries. Keys may be any value, and a key may repeat (the bytes allow it).
    case map([(key: MessagePackValue, value: MessagePackValue)])
    /// An extension value: an application-defined `type` and its bytes. Type -1 is the MessagePack
    /// timestamp, kept as it is (`MessagePackDecoder` reads it into a `Date`).
    case `extension`(type: Int8, data: Data)
}

extension MessagePackValue: Hashable {
    /// Structural equality as the encoding has it: see the type's documentation.
    public static func == (lhs: MessagePackValue, rhs: MessagePackValue) -> Bool {
        switch (lhs, rhs) {
        case (.nil, .nil): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.uint(a), .uint(b)): return a == b
        case let (.int(a), .uint(b)), let (.uint(b), .int(a)): return a >= 0 && UInt64(a) == b
        case let (.float(a), .float(b)): return a.bitPattern == b.bitPattern
        case let (.double(a), .double(b)): return a.bitPattern == b.bitPattern
        case let (.string(a), .string(b)): return a.utf8.elementsEqual(b.utf8)
        case let (.binary(a), .binary(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.map(a), .map(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.extension(typeA, dataA), .extension(typeB, dataB)): return typeA == typeB && dataA == dataB
        default: return false
        }
    }

    /// Hashes what `==` compares: integers by number, floats by bits, strings by UTF-8 bytes.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .nil: hasher.combine(0 as UInt8)
        case .bool(let value): hasher.combine(1 as UInt8); hasher.combine(value)
        case .int(let value):
            hasher.combine(2 as UInt8)
            if value < 0 { hasher.combine(true); hasher.combine(value) } else { hasher.combine(false); hasher.combine(UInt64(value)) }
        case .uint(let value): hasher.combine(2 as UInt8); hasher.combine(false); hasher.combine(value)
        case .float(let value): hasher.combine(3 as UInt8); hasher.combine(value.bitPattern)
        case .double(let value): hasher.combine(4 as UInt8); hasher.combine(value.bitPattern)
        case .string(let value):
            hasher.combine(5 as UInt8)
            var text = value
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            hasher.combine(text.utf8.count)
        case .binary(let value): hasher.combine(6 as UInt8); hasher.combine(value)
        case .array(let values): hasher.combine(7 as UInt8); hasher.combine(values)
        case .map(let entries):
            hasher.combine(8 as UInt8)
            hasher.combine(entries.count)
            for entry in entries { hasher.combine(entry.key); hasher.combine(entry.value) }
        case .extension(let type, let data): hasher.combine(9 as UInt8); hasher.combine(type); hasher.combine(data)
        }
    }
}

extension MessagePackValue {
    /// True for `.nil`.
    public var isNil: Bool {
        if case .nil = self { return true }
        return false
    }

    /// The flag of a `.bool`; nil for every other case.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number of an `.int`, or of a `.uint` that `Int64` holds; nil otherwise (floats included).
    public var int64Value: Int64? {
        switch self {
        case .int(let value): return value
        case .uint(let value): return Int64(exactly: value)
        default: return nil
        }
    }

    /// The number of a `.uint`, or of an `.int` that is not negative; nil otherwise (floats included).
    public var uint64Value: UInt64? {
        switch self {
        case .int(let value): return UInt64(exactly: value)
        case .uint(let value): return value
        default: return nil
        }
    }

    /// Any number as a `Double`: `.double`, `.float` widened, integers rounded to the nearest `Double`.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .uint(let value): return Double(value)
        case .float(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The text of a `.string`; nil for every other case.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The bytes of a `.binary`; nil for every other case.
    public var dataValue: Data? {
        if case .binary(let value) = self { return value }
        return nil
    }

    /// The elements of an `.array`; nil for every other case.
    public var arrayValue: [MessagePackValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The entries of a `.map`, in order; nil for every other case.
    public var mapValue: [(key: MessagePackValue, value: MessagePackValue)]? {
        if case .map(let value) = self { return value }
        return nil
    }

    /// The value of the first entry of a `.map` whose key is the string `key`; nil when there is none or
    /// this is not a map.
    public subscript(key: String) -> MessagePackValue? {
        guard case .map(let entries) = self else { return nil }
        for entry in entries {
            if case .string(let name) = entry.key, name == key { return entry.value }
        }
        return nil
    }
}

extension MessagePackValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `nil` is `.nil`.
    public init(nilLiteral: ()) { self = .nil }
    /// `true` and `false` are `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer literal is an `.int`.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A float literal is a `.double` (float64, as Python writes floats).
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A string literal is a `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal is an `.array`.
    public init(arrayLiteral elements: MessagePackValue...) { self = .array(elements) }
    /// A dictionary literal is a `.map` with its entries in the written order, repeated keys included.
    public init(dictionaryLiteral elements: (MessagePackValue, MessagePackValue)...) {
        self = .map(elements.map { (key: $0.0, value: $0.1) })
    }
}

extension MessagePackValue: CustomStringConvertible {
    /// A compact, JSON-like rendering for messages and test failures: `nil`, `-3`, `1.5`, `1.5f` (a float32),
    /// `"text"`, `bin(3: 0a0b0c)`, `[…]`, `{key: value, …}`, `ext(-1, 8: …)`; long byte runs are cut at 32 bytes.
    public var description: String {
        switch self {
        case .nil: return "nil"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .uint(let value): return String(value)
        case .float(let value): return "\(value)f"
        case .double(let value): return "\(value)"
        case .string(let value): return value.debugDescription
        case .binary(let data): return "bin(\(Self.hexSummary(data)))"
        case .array(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .map(let entries): return "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .extension(let type, let data): return "ext(\(type), \(Self.hexSummary(data)))"
        }
    }

    private static func hexSummary(_ data: Data) -> String {
        let hex = data.prefix(32).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        return "\(data.count): \(hex)\(data.count > 32 ? "…" : "")"
    }
}
