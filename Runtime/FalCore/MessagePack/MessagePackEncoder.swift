import Foundation

/// Encodes `Encodable` values as MessagePack, for the realtime protocol's binary frames.
///
/// - Keyed containers become maps with string keys, in the order the keys were first encoded (encoding a
///   key again replaces its value in place). Unkeyed containers become arrays.
/// - Integers become int or uint in their smallest form, `Double` float64, `Float` float32, `Bool` bool,
///   `String` str, `nil` (`encodeNil`) nil.
/// - `Data` is bin; `Date` is float64 seconds since 1970; `URL` its `absoluteString`; `Decimal` float64
///   (rounded to the nearest `Double`); `MessagePackValue` itself; `JSONValue` as `MessagePackValue(_:)`
///   converts it (object members sorted by key).
/// - A value whose `encode(to:)` writes nothing is an empty map, as `JSONEncoder` writes `{}`.
///
/// Nested containers, `superEncoder` (key `super`, as `JSONEncoder` names it) and containers filled in any
/// order are all supported: the value is built as a tree and written once it is complete.
public struct MessagePackEncoder: Sendable {
    /// Handed to every `encode(to:)` as `encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// An encoder with an empty `userInfo`.
    public init() {}

    /// The MessagePack bytes of `value`.
    ///
    /// - Throws: only what the value's own `encode(to:)` throws (a `FalFile` that still needs uploading, say):
    ///   MessagePack refuses no value, `NaN` and the infinities included.
    public func encode<T: Encodable>(_ value: T) throws -> Data {
        let node = try MessagePackEncodingState(userInfo: userInfo).node(for: value, path: .root)
        var writer = MessagePackWriter(capacity: 256)
        node.write(to: &writer)
        return writer.data
    }

    /// `value` as the `MessagePackValue` that `encode(_:)` would write.
    public func encodeToValue<T: Encodable>(_ value: T) throws -> MessagePackValue {
        try MessagePackEncodingState(userInfo: userInfo).node(for: value, path: .root).value
    }
}

/// A value being built. Containers are reference boxes, so a container handed out earlier can still add to
/// them; `deferred` is a super encoder's slot, read when the tree is written.
enum EncodedNode {
    case value(MessagePackValue)
    case array(EncodedArray)
    case map(EncodedMap)
    case deferred(EncodedSlot)

    func write(to writer: inout MessagePackWriter) {
        switch self {
        case .value(let value): writer.write(value)
        case .array(let array):
            writer.writeArrayHeader(count: array.elements.count)
            for element in array.elements { element.write(to: &writer) }
        case .map(let map):
            writer.writeMapHeader(count: map.entries.count)
            for entry in map.entries {
                writer.writeString(entry.key)
                entry.node.write(to: &writer)
            }
        case .deferred(let slot): (slot.node ?? .map(EncodedMap())).write(to: &writer)
        }
    }

    var value: MessagePackValue {
        switch self {
        case .value(let value): return value
        case .array(let array): return .array(array.elements.map(\.value))
        case .map(let map): return .map(map.entries.map { (key: .string($0.key), value: $0.node.value) })
        case .deferred(let slot): return (slot.node ?? .map(EncodedMap())).value
        }
    }
}

// The boxes are only touched by the one `encode` call that made them: no dynamic exclusivity checks (they
// were a measurable share of encoding a struct).
final class EncodedArray {
    @exclusivity(unchecked) var elements: [EncodedNode] = []
}

/// Keys in first-encoded order; a name index is built once the map is too big to scan.
final class EncodedMap {
    @exclusivity(unchecked) private(set) var entries: [(key: String, node: EncodedNode)] = []
    @exclusivity(unchecked) private var index: [String: Int]?

    private static var scanLimit: Int { 16 }

    func set(_ key: String, _ node: EncodedNode) {
        if let position = position(of: key) {
            entries[position].node = node
            return
        }
        if entries.isEmpty { entries.reserveCapacity(8) }
        entries.append((key, node))
        index?[key] = entries.count - 1
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        if entries.count < Self.scanLimit { return entries.firstIndex { $0.key == key } }
        var names: [String: Int] = [:]
        names.reserveCapacity(entries.count * 2)
        for (position, entry) in entries.enumerated() { names[entry.key] = position }
        index = names
        return names[key]
    }
}

/// One value's slot: what its encoder stored there.
final class EncodedSlot {
    @exclusivity(unchecked) var node: EncodedNode?
}

/// What every encoder and container of one `encode` call shares.
final class MessagePackEncodingState {
    let userInfo: [CodingUserInfoKey: Any]

    init(userInfo: [CodingUserInfoKey: any Sendable]) {
        self.userInfo = userInfo
    }

    /// `value` as a node: scalars and the special types directly, everything else through its `encode(to:)`.
    func node<T: Encodable>(for value: T, path: MessagePackCodingPath) throws -> EncodedNode {
        if let scalar = scalar(value) { return .value(scalar) }
        let slot = EncodedSlot()
        try value.encode(to: MessagePackSlotEncoder(state: self, slot: slot, path: path))
        return slot.node ?? .map(EncodedMap())
    }

    /// The value of scalars and of the types with a MessagePack form of their own; nil for anything else.
    /// Metatype comparisons first: every member of every struct passes through here.
    func scalar<T: Encodable>(_ value: T) -> MessagePackValue? {
        if T.self == String.self { return .string(value as! String) }
        if T.self == Int.self { return .int(Int64(value as! Int)) }
        if T.self == Double.self { return .double(value as! Double) }
        if T.self == Bool.self { return .bool(value as! Bool) }
        if T.self == Data.self { return .binary(value as! Data) }
        if T.self == MessagePackValue.self { return (value as! MessagePackValue) }
        if T.self == JSONValue.self { return MessagePackValue(value as! JSONValue) }
        if T.self == Float.self { return .float(value as! Float) }
        if T.self == Date.self { return .double((value as! Date).timeIntervalSince1970) }
        if T.self == URL.self { return .string((value as! URL).absoluteString) }
        if T.self == Decimal.self { return .double(Double((value as! Decimal).description) ?? .nan) }
        if T.self == Int64.self { return .int(value as! Int64) }
        if T.self == Int32.self { return .int(Int64(value as! Int32)) }
        if T.self == Int16.self { return .int(Int64(value as! Int16)) }
        if T.self == Int8.self { return .int(Int64(value as! Int8)) }
        if T.self == UInt.self { return .unsigned(UInt64(value as! UInt)) }
        if T.self == UInt64.self { return .unsigned(value as! UInt64) }
        if T.self == UInt32.self { return .int(Int64(value as! UInt32)) }
        if T.self == UInt16.self { return .int(Int64(value as! UInt16)) }
        if T.self == UInt8.self { return .int(Int64(value as! UInt8)) }
        return nil
    }
}

extension MessagePackValue {
    /// `.int` when `Int64` holds `number`, `.uint` above: the case the reader gives for it.
    static func unsigned(_ number: UInt64) -> MessagePackValue {
        Int64(exactly: number).map { .int($0) } ?? .uint(number)
    }
}
