import Foundation

/// Decodes a `Decodable` value straight from an `OrderedJSON` tree, following `JSONDecoder`'s rules: types
/// match strictly (no number from a string, no `Bool` from a number), an integer is any number it can hold
/// exactly (`2.0` is an `Int`), object keys come in document order, and failures are `DecodingError`s with
/// the coding path (`OpenAPI.Error` builds its messages from them).
///
/// OpenAPIKit decodes the structural copy of each document through it: going through `JSONDecoder`
/// meant writing the tree as JSON text and parsing it again, about half of OpenAPIKit's decoding time.
struct OrderedJSONDecoder {
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func decode<T: Decodable>(_ type: T.Type, from json: OrderedJSON) throws -> T {
        try ValueDecoder(json: json, codingPath: [], userInfo: userInfo).decodeValue(T.self)
    }
}

/// A position in the tree; also its single-value container.
private struct ValueDecoder: Decoder, SingleValueDecodingContainer {
    let json: OrderedJSON
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    func child(_ json: OrderedJSON, _ key: any CodingKey) -> ValueDecoder {
        ValueDecoder(json: json, codingPath: codingPath + [key], userInfo: userInfo)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = json else { throw mismatch([String: Any].self) }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = json else { throw mismatch([Any].self) }
        return UnkeyedContainer(items: items, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { json == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(T.self) }

    /// Scalars by JSON kind; everything else through its own `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == String.self {
            guard case .string(let text) = json else { throw mismatch(T.self) }
            return text as! T
        }
        if T.self == Bool.self {
            guard case .bool(let flag) = json else { throw mismatch(T.self) }
            return flag as! T
        }
        if let integer = T.self as? any FixedWidthInteger.Type { return try decodeInteger(integer) as! T }
        if T.self == Double.self || T.self == Float.self {
            guard case .number(let text) = json, let value = Double(text) else { throw mismatch(T.self) }
            if T.self == Double.self { return value as! T }
            guard Float(value).isFinite else { throw notRepresentable(text, T.self) }
            return Float(value) as! T
        }
        return try T(from: self)
    }

    private func decodeInteger<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case .number(let text) = json else { throw mismatch(I.self) }
        if let value = I(text) { return value }
        guard let double = Double(text), let value = I(exactly: double) else { throw notRepresentable(text, I.self) }
        return value
    }

    /// `typeMismatch`, or `valueNotFound` for `null`, worded as `JSONDecoder` words them.
    func mismatch(_ type: Any.Type) -> DecodingError {
        if json == .null {
            return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "Cannot get value of type \(type) -- found null value instead"))
        }
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "Expected to decode \(type) but found \(json.kindDescription) instead."))
    }

    private func notRepresentable(_ text: String, _ type: Any.Type) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: "Parsed JSON number <\(text)> does not fit in \(type)."))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(key: String, value: OrderedJSON)]
    let decoder: ValueDecoder
    /// Positions by key for large objects (maps of paths or components), where a linear search per key
    /// would make decoding quadratic.
    private let index: [String: Int]?

    init(members: [(key: String, value: OrderedJSON)], decoder: ValueDecoder) {
        self.members = members
        self.decoder = decoder
        index = members.count > 16 ? Dictionary(members.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { _, last in last }) : nil
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

    private func value(_ key: Key) -> OrderedJSON? {
        if let index { return index[key.stringValue].map { members[$0].value } }
        return members.first(where: { $0.key == key.stringValue })?.value
    }

    private func existing(_ key: Key) throws -> OrderedJSON {
        guard let value = value(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return value
    }

    func contains(_ key: Key) -> Bool { value(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try existing(key) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.child(existing(key), key).decodeValue(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(existing(key), key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(existing(key), key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        decoder.child(members.first(where: { $0.key == "super" })?.value ?? .null, IndexKey(stringValue: "super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { decoder.child(value(key) ?? .null, key) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [OrderedJSON]
    let decoder: ValueDecoder
    private(set) var currentIndex = 0

    init(items: [OrderedJSON], decoder: ValueDecoder) {
        self.items = items
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    /// The next item's decoder; the index advances only when decoding it succeeds, as in `JSONDecoder`.
    private func next(_ type: Any.Type) throws -> ValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "Unkeyed container is at end."))
        }
        return decoder.child(items[currentIndex], IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard try next(Any?.self).json == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try next(T.self).decodeValue(T.self)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try next([String: Any].self).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try next([Any].self).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = try next(Any.self)
        currentIndex += 1
        return decoder
    }
}

/// `Index 3`, as `JSONDecoder` names array positions in coding paths.
private struct IndexKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(_ index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init?(intValue: Int) { self.init(intValue) }
}
