/// An object's members: keys are matched as bytes against the member names where they are asked for.
struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TapeDecoder
    /// Name → value entry for objects too large to scan, built at the first lookup.
    private let lookup: MemberLookup?

    /// Up to this many members a linear scan beats hashing the key.
    private static var scanLimit: Int { 24 }

    init(decoder: TapeDecoder) {
        self.decoder = decoder
        lookup = decoder.entry.first > Self.scanLimit ? MemberLookup() : nil
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    private var tape: JSONTape { decoder.document.tape }

    /// Entry indexes of each member's name, in document order.
    private var memberNames: [Int] {
        var names: [Int] = []
        names.reserveCapacity(decoder.entry.first)
        var name = decoder.index + 1
        for _ in 0..<decoder.entry.first {
            names.append(name)
            name = tape.next(name + 1)
        }
        return names
    }

    var allKeys: [Key] {
        var seen = Set<String>()
        return memberNames.compactMap { name in
            let text = tape.string(tape.entries[name])
            return seen.insert(text).inserted ? Key(stringValue: text) : nil
        }
    }

    /// The value entry of the first member called `key`, as JSONDecoder picks among duplicates.
    private func valueIndex(_ key: Key) -> Int? {
        var name = key.stringValue
        if let lookup {
            if lookup.names == nil {
                var names: [String: Int] = [:]
                for member in memberNames where names[tape.string(tape.entries[member])] == nil {
                    names[tape.string(tape.entries[member])] = member + 1
                }
                lookup.names = names
            }
            return lookup.names?[name]
        }
        return name.withUTF8 { tape.member($0, of: decoder.index) }
    }

    private func require(_ key: Key) throws -> Int {
        guard let index = valueIndex(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return index
    }

    /// The value for `key` unless it is missing or null.
    private func present(_ key: Key) -> Int? {
        guard let index = valueIndex(key), tape.entries[index].kind != .null else { return nil }
        return index
    }

    func contains(_ key: Key) -> Bool { valueIndex(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { tape.entries[try require(key)].kind == .null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.bool(at: require(key), step: .key(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.string(at: require(key), step: .key(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.double(at: require(key), step: .key(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder.float(at: require(key), step: .key(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(Int.self, at: require(key), step: .key(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.integer(Int8.self, at: require(key), step: .key(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.integer(Int16.self, at: require(key), step: .key(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.integer(Int32.self, at: require(key), step: .key(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(Int64.self, at: require(key), step: .key(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.integer(UInt.self, at: require(key), step: .key(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.integer(UInt8.self, at: require(key), step: .key(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.integer(UInt16.self, at: require(key), step: .key(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.integer(UInt32.self, at: require(key), step: .key(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.integer(UInt64.self, at: require(key), step: .key(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.decodeValue(T.self, at: require(key), step: .key(key)) }

    // One lookup instead of the default's three (contains, decodeNil, decode).
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try present(key).map { try decoder.string(at: $0, step: .key(key)) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try present(key).map { try decoder.integer(Int.self, at: $0, step: .key(key)) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try present(key).map { try decoder.double(at: $0, step: .key(key)) }
    }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try present(key).map { try decoder.bool(at: $0, step: .key(key)) }
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try decoder.decodeValue(T.self, at: $0, step: .key(key)) }
    }

    private func child(_ index: Int, _ key: any CodingKey) -> TapeDecoder {
        TapeDecoder(document: decoder.document, index: index, path: .key(key, decoder.path))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(require(key), key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(require(key), key).unkeyedContainer()
    }

    /// As JSONDecoder: the member `super`, or null when there is none.
    func superDecoder() throws -> any Decoder {
        let key = TapeNameKey("super")
        var name = key.stringValue
        let index = name.withUTF8 { tape.member($0, of: decoder.index) }
        return child(index ?? tape.nullIndex, key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        child(valueIndex(key) ?? tape.nullIndex, key)
    }
}

/// The lazily built name table of a large object (shared by copies of its container).
final class MemberLookup {
    var names: [String: Int]?
}

/// An array's elements in order.
struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: TapeDecoder
    let count: Int?
    private(set) var currentIndex = 0
    /// Entry of the element at `currentIndex`.
    private var cursor: Int

    init(decoder: TapeDecoder) {
        self.decoder = decoder
        count = decoder.entry.first
        cursor = decoder.index + 1
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var isAtEnd: Bool { currentIndex >= count! }

    /// Decodes the current element with `body` (decoder, entry index, path step) and moves past it.
    private mutating func next<T>(_ type: Any.Type, _ body: (TapeDecoder, Int, TapeStep) throws -> T) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: codingPath + [TapeIndexKey(currentIndex)], debugDescription: "Unkeyed container is at end."))
        }
        let value = try body(decoder, cursor, .index(currentIndex))
        cursor = decoder.document.tape.next(cursor)
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any?.self, DecodingError.Context(
                codingPath: codingPath + [TapeIndexKey(currentIndex)], debugDescription: "Unkeyed container is at end."))
        }
        guard decoder.document.tape.entries[cursor].kind == .null else { return false }
        cursor += 1
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { try $0.bool(at: $1, step: $2) } }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) { try $0.string(at: $1, step: $2) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try $0.double(at: $1, step: $2) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try $0.float(at: $1, step: $2) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try $0.integer(Int.self, at: $1, step: $2) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try $0.integer(Int8.self, at: $1, step: $2) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try $0.integer(Int16.self, at: $1, step: $2) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try $0.integer(Int32.self, at: $1, step: $2) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try $0.integer(Int64.self, at: $1, step: $2) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try $0.integer(UInt.self, at: $1, step: $2) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try $0.integer(UInt8.self, at: $1, step: $2) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try $0.integer(UInt16.self, at: $1, step: $2) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try $0.integer(UInt32.self, at: $1, step: $2) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try $0.integer(UInt64.self, at: $1, step: $2) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try $0.decodeValue(T.self, at: $1, step: $2) } }

    private mutating func nestedDecoder(_ type: Any.Type) throws -> TapeDecoder {
        try next(type) { decoder, index, step in TapeDecoder(document: decoder.document, index: index, path: decoder.path.appending(step)) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder(KeyedDecodingContainer<NestedKey>.self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try nestedDecoder((any UnkeyedDecodingContainer).self).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try nestedDecoder((any Decoder).self) }
}
