import Foundation

/// The encoder of one value slot; also its single-value container.
struct MessagePackSlotEncoder: Encoder, SingleValueEncodingContainer {
    let state: MessagePackEncodingState
    let slot: EncodedSlot
    let path: MessagePackCodingPath

    var codingPath: [any CodingKey] { path.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { state.userInfo }

    /// The map this slot holds already (a second request gets the same one), or a new one in its place.
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let map: EncodedMap
        if case .map(let existing)? = slot.node {
            map = existing
        } else {
            map = EncodedMap()
            slot.node = .map(map)
        }
        return KeyedEncodingContainer(MessagePackKeyedEncodingContainer<Key>(state: state, map: map, path: path))
    }

    /// The array this slot holds already, or a new one in its place.
    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: EncodedArray
        if case .array(let existing)? = slot.node {
            array = existing
        } else {
            array = EncodedArray()
            slot.node = .array(array)
        }
        return MessagePackUnkeyedEncodingContainer(state: state, array: array, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: Single value (a second value replaces the first)

    func encodeNil() throws { slot.node = .value(.nil) }
    func encode(_ value: Bool) throws { slot.node = .value(.bool(value)) }
    func encode(_ value: String) throws { slot.node = .value(.string(value)) }
    func encode(_ value: Double) throws { slot.node = .value(.double(value)) }
    func encode(_ value: Float) throws { slot.node = .value(.float(value)) }
    func encode(_ value: Int) throws { slot.node = .value(.int(Int64(value))) }
    func encode(_ value: Int8) throws { slot.node = .value(.int(Int64(value))) }
    func encode(_ value: Int16) throws { slot.node = .value(.int(Int64(value))) }
    func encode(_ value: Int32) throws { slot.node = .value(.int(Int64(value))) }
    func encode(_ value: Int64) throws { slot.node = .value(.int(value)) }
    func encode(_ value: UInt) throws { slot.node = .value(.unsigned(UInt64(value))) }
    func encode(_ value: UInt8) throws { slot.node = .value(.int(Int64(value))) }
    func encode(_ value: UInt16) throws { slot.node = .value(.int(Int64(value))) }
    func encode(_ value: UInt32) throws { slot.node = .value(.int(Int64(value))) }
    func encode(_ value: UInt64) throws { slot.node = .value(.unsigned(value)) }
    func encode<T: Encodable>(_ value: T) throws { slot.node = try state.node(for: value, path: path) }
}

/// A map being filled; keys keep the order in which they were first encoded.
struct MessagePackKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let state: MessagePackEncodingState
    let map: EncodedMap
    let path: MessagePackCodingPath

    var codingPath: [any CodingKey] { path.codingPath }

    private func set(_ value: MessagePackValue, _ key: Key) { map.set(key.stringValue, .value(value)) }

    mutating func encodeNil(forKey key: Key) throws { set(.nil, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(.float(value), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.int(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(.unsigned(UInt64(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.unsigned(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        map.set(key.stringValue, try state.node(for: value, path: .key(key, path)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedMap()
        map.set(key.stringValue, .map(nested))
        return KeyedEncodingContainer(MessagePackKeyedEncodingContainer<NestedKey>(state: state, map: nested, path: .key(key, path)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = EncodedArray()
        map.set(key.stringValue, .array(nested))
        return MessagePackUnkeyedEncodingContainer(state: state, array: nested, path: .key(key, path))
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: MessagePackNameKey("super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key) }

    /// A slot under `key` that is read when the tree is written, so it may be filled after its siblings.
    private func superEncoder(named key: any CodingKey) -> any Encoder {
        let slot = EncodedSlot()
        map.set(key.stringValue, .deferred(slot))
        return MessagePackSlotEncoder(state: state, slot: slot, path: .key(key, path))
    }
}

/// An array being filled.
struct MessagePackUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let state: MessagePackEncodingState
    let array: EncodedArray
    let path: MessagePackCodingPath

    var codingPath: [any CodingKey] { path.codingPath }
    var count: Int { array.elements.count }

    private func append(_ value: MessagePackValue) { array.elements.append(.value(value)) }

    mutating func encodeNil() throws { append(.nil) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.double(value)) }
    mutating func encode(_ value: Float) throws { append(.float(value)) }
    mutating func encode(_ value: Int) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { append(.int(value)) }
    mutating func encode(_ value: UInt) throws { append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { append(.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let node = try state.node(for: value, path: .index(count, path))
        array.elements.append(node)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedMap()
        let nestedPath = MessagePackCodingPath.index(count, path)
        array.elements.append(.map(nested))
        return KeyedEncodingContainer(MessagePackKeyedEncodingContainer<NestedKey>(state: state, map: nested, path: nestedPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = EncodedArray()
        let nestedPath = MessagePackCodingPath.index(count, path)
        array.elements.append(.array(nested))
        return MessagePackUnkeyedEncodingContainer(state: state, array: nested, path: nestedPath)
    }

    mutating func superEncoder() -> any Encoder {
        let slot = EncodedSlot()
        let slotPath = MessagePackCodingPath.index(count, path)
        array.elements.append(.deferred(slot))
        return MessagePackSlotEncoder(state: state, slot: slot, path: slotPath)
    }
}
