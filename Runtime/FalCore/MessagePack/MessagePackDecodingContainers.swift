import Foundation

/// A map's entries, looked up by their str keys (the first of a repeated key wins).
struct MessagePackKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: MessagePackValueDecoder
    let entries: [(key: MessagePackValue, value: MessagePackValue)]
    /// Name → entry for maps too large to scan, built at the first lookup.
    private let lookup: MessagePackKeyLookup?

    /// Up to this many entries a linear scan beats hashing the key.
    private static var scanLimit: Int { 16 }

    init(decoder: MessagePackValueDecoder, entries: [(key: MessagePackValue, value: MessagePackValue)]) {
        self.decoder = decoder
        self.entries = entries
        lookup = entries.count > Self.scanLimit ? MessagePackKeyLookup() : nil
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        var seen = Set<String>()
        return entries.compactMap { entry in
            guard case .string(let name) = entry.key, seen.insert(name).inserted else { return nil }
            return Key(stringValue: name)
        }
    }

    private func find(_ name: String) -> MessagePackValue? {
        if let lookup {
            if lookup.positions == nil {
                var positions: [String: Int] = [:]
                positions.reserveCapacity(entries.count)
                for (position, entry) in entries.enumerated() {
                    if case .string(let key) = entry.key, positions[key] == nil { positions[key] = position }
                }
                lookup.positions = positions
            }
            return lookup.positions?[name].map { entries[$0].value }
        }
        for entry in entries {
            if case .string(let key) = entry.key, key == name { return entry.value }
        }
        return nil
    }

    private func require(_ key: Key) throws -> MessagePackValue {
        guard let value = find(key.stringValue) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return value
    }

    /// The value for `key` unless it is missing or nil.
    private func present(_ key: Key) -> MessagePackValue? {
        guard let value = find(key.stringValue), !value.isNil else { return nil }
        return value
    }

    func contains(_ key: Key) -> Bool { find(key.stringValue) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try require(key).isNil }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.bool(require(key), step: .key(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.string(require(key), step: .key(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.double(require(key), step: .key(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder.float(require(key), step: .key(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(Int.self, require(key), step: .key(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.integer(Int8.self, require(key), step: .key(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.integer(Int16.self, require(key), step: .key(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.integer(Int32.self, require(key), step: .key(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(Int64.self, require(key), step: .key(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.integer(UInt.self, require(key), step: .key(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.integer(UInt8.self, require(key), step: .key(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.integer(UInt16.self, require(key), step: .key(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.integer(UInt32.self, require(key), step: .key(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.integer(UInt64.self, require(key), step: .key(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.decodeValue(T.self, require(key), step: .key(key)) }

    // One lookup instead of the default's three (contains, decodeNil, decode).
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try present(key).map { try decoder.string($0, step: .key(key)) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try present(key).map { try decoder.integer(Int.self, $0, step: .key(key)) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try present(key).map { try decoder.double($0, step: .key(key)) }
    }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try present(key).map { try decoder.bool($0, step: .key(key)) }
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try decoder.decodeValue(T.self, $0, step: .key(key)) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(require(key), step: .key(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(require(key), step: .key(key)).unkeyedContainer()
    }

    /// As `JSONDecoder`: the entry `super`, or nil when there is none.
    func superDecoder() throws -> any Decoder {
        decoder.child(find("super") ?? .nil, step: .key(MessagePackNameKey("super")))
    }

    /// The entry `key`, or nil when there is none.
    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(find(key.stringValue) ?? .nil, step: .key(key))
    }
}

/// The lazily built name table of a large map (shared by copies of its container).
final class MessagePackKeyLookup {
    var positions: [String: Int]?
}

/// An array's elements in order.
struct MessagePackUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: MessagePackValueDecoder
    let elements: [MessagePackValue]
    private(set) var currentIndex = 0

    init(decoder: MessagePackValueDecoder, elements: [MessagePackValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private func atEnd(_ type: Any.Type) -> DecodingError {
        DecodingError.valueNotFound(type, DecodingError.Context(
            codingPath: codingPath + [MessagePackIndexKey(currentIndex)], debugDescription: "Unkeyed container is at end."))
    }

    /// Decodes the current element with `body` and moves past it (not past an element that failed).
    private mutating func next<T>(_ type: Any.Type, _ body: (MessagePackValueDecoder, MessagePackValue, MessagePackStep) throws -> T) throws -> T {
        guard !isAtEnd else { throw atEnd(type) }
        let value = try body(decoder, elements[currentIndex], .index(currentIndex))
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw atEnd(Any?.self) }
        guard elements[currentIndex].isNil else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { try $0.bool($1, step: $2) } }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) { try $0.string($1, step: $2) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try $0.double($1, step: $2) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try $0.float($1, step: $2) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try $0.integer(Int.self, $1, step: $2) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try $0.integer(Int8.self, $1, step: $2) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try $0.integer(Int16.self, $1, step: $2) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try $0.integer(Int32.self, $1, step: $2) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try $0.integer(Int64.self, $1, step: $2) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try $0.integer(UInt.self, $1, step: $2) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try $0.integer(UInt8.self, $1, step: $2) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try $0.integer(UInt16.self, $1, step: $2) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try $0.integer(UInt32.self, $1, step: $2) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try $0.integer(UInt64.self, $1, step: $2) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try $0.decodeValue(T.self, $1, step: $2) } }

    private mutating func nestedDecoder(_ type: Any.Type) throws -> MessagePackValueDecoder {
        try next(type) { $0.child($1, step: $2) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder(KeyedDecodingContainer<NestedKey>.self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try nestedDecoder((any UnkeyedDecodingContainer).self).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try nestedDecoder((any Decoder).self) }
}
