import Foundation

/// Decodes `Decodable` values from JSON text by `JSONDecoder`'s default rules, for the runtime's hot path
/// (every queue answer, output, status event and webhook). It produces the same values and the same
/// `DecodingError`s (kind and coding path): types match strictly, an integer is any number it holds
/// exactly (`2.0` is an `Int`), the first of duplicate keys wins, `Data` is Base64, `URL` a string,
/// `Date` its own `Decodable` (seconds since 2001), `Decimal` a number.
///
/// It is faster because object keys are compared as bytes where they are asked for, instead of all being
/// turned into strings and hashed into a dictionary first, and because the coding path is only built
/// when an error needs it.
package struct JSONTapeDecoder {
    package var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    package init() {}

    package func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let document = try TapeDocument(parsing: data, userInfo: userInfo)
        return try TapeDecoder(document: document, index: 0, path: .root).decodeValue(T.self, at: 0, step: .none)
    }
}

/// The parsed text, shared by every decoder and container of one `decode` call.
final class TapeDocument {
    let tape: JSONTape
    let userInfo: [CodingUserInfoKey: Any]

    /// Parses `data`; text that is not JSON is `JSONDecoder`'s error for it, `dataCorrupted` at the root.
    init(parsing data: Data, userInfo: [CodingUserInfoKey: any Sendable]) throws {
        do {
            tape = try JSONTape(data)
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: error.description, underlyingError: error))
        }
        self.userInfo = userInfo
    }
}

/// Where a value sits, built only for nested decoders and errors (an array of keys per value was a
/// measurable share of decoding).
indirect enum TapePath {
    case root
    case key(any CodingKey, TapePath)
    case index(Int, TapePath)

    var codingPath: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = self
        while true {
            switch node {
            case .root: return keys.reversed()
            case .key(let key, let parent): keys.append(key); node = parent
            case .index(let index, let parent): keys.append(TapeIndexKey(index)); node = parent
            }
        }
    }

    func appending(_ step: TapeStep) -> TapePath {
        switch step {
        case .none: return self
        case .key(let key): return .key(key, self)
        case .index(let index): return .index(index, self)
        }
    }
}

/// The last step to a value, kept apart from its container's path until it is needed.
enum TapeStep {
    case none
    case key(any CodingKey)
    case index(Int)
}

/// `JSONDecoder`'s key for array positions: "Index 3", integer value 3.
struct TapeIndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) { intValue = index; stringValue = "Index \(index)" }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(intValue) }
}

/// The decoder of one value; also its single-value container.
struct TapeDecoder: Decoder, SingleValueDecodingContainer {
    let document: TapeDocument
    let index: Int
    let path: TapePath

    var codingPath: [any CodingKey] { path.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { document.userInfo }
    var entry: JSONTape.Entry { document.tape.entries[index] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try requireContainer(.object, [String: Any].self, "keyed")
        return KeyedDecodingContainer(TapeKeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try requireContainer(.array, [Any].self, "unkeyed")
        return TapeUnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    private func requireContainer(_ kind: JSONTape.Kind, _ type: Any.Type, _ name: String) throws {
        let found = entry.kind
        if found == kind { return }
        if found == .null {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: codingPath, debugDescription: "Cannot get \(name) decoding container -- found null value instead"))
        }
        throw TapeDecoder.mismatch(type, found, codingPath)
    }

    // MARK: Single value container

    func decodeNil() -> Bool { entry.kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try bool(at: index, step: .none) }
    func decode(_ type: String.Type) throws -> String { try string(at: index, step: .none) }
    func decode(_ type: Double.Type) throws -> Double { try double(at: index, step: .none) }
    func decode(_ type: Float.Type) throws -> Float { try float(at: index, step: .none) }
    func decode(_ type: Int.Type) throws -> Int { try integer(Int.self, at: index, step: .none) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(Int8.self, at: index, step: .none) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(Int16.self, at: index, step: .none) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(Int32.self, at: index, step: .none) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(Int64.self, at: index, step: .none) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(UInt.self, at: index, step: .none) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(UInt8.self, at: index, step: .none) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(UInt16.self, at: index, step: .none) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(UInt32.self, at: index, step: .none) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(UInt64.self, at: index, step: .none) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(T.self, at: index, step: .none) }

    // MARK: Values (shared by all containers; `step` leads from this decoder's path to the value)

    /// Scalars and `JSONDecoder`'s special types directly; everything else through its own `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type, at index: Int, step: TapeStep) throws -> T {
        if T.self == String.self { return try string(at: index, step: step) as! T }
        if T.self == Int.self { return try integer(Int.self, at: index, step: step) as! T }
        if T.self == Double.self { return try double(at: index, step: step) as! T }
        if T.self == Bool.self { return try bool(at: index, step: step) as! T }
        if T.self == JSONValue.self { return try jsonValue(at: index, step: step) as! T }
        if let integer = T.self as? any FixedWidthInteger.Type { return try self.integer(integer, at: index, step: step) as! T }
        if T.self == Float.self { return try float(at: index, step: step) as! T }
        if T.self == Data.self { return try data(at: index, step: step) as! T }
        if T.self == URL.self { return try url(at: index, step: step) as! T }
        if T.self == Decimal.self { return try decimal(at: index, step: step) as! T }
        return try T(from: TapeDecoder(document: document, index: index, path: path.appending(step)))
    }

    /// The entry at `index` when it has `kind`; otherwise `JSONDecoder`'s error for `type`.
    private func scalar(_ kind: JSONTape.Kind, _ type: Any.Type, at index: Int, step: TapeStep) throws -> JSONTape.Entry {
        let entry = document.tape.entries[index]
        guard entry.kind == kind else {
            let codingPath = path.appending(step).codingPath
            if entry.kind == .null {
                throw DecodingError.valueNotFound(type, DecodingError.Context(
                    codingPath: codingPath, debugDescription: "Cannot get value of type \(type) -- found null value instead"))
            }
            throw TapeDecoder.mismatch(type, entry.kind, codingPath)
        }
        return entry
    }

    static func mismatch(_ type: Any.Type, _ found: JSONTape.Kind, _ codingPath: [any CodingKey]) -> DecodingError {
        let description = switch found {
        case .null: "null"
        case .false, .true: "bool"
        case .number: "number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
        return DecodingError.typeMismatch(type, DecodingError.Context(
            codingPath: codingPath, debugDescription: "Expected to decode \(type) but found \(description) instead."))
    }

    private func notRepresentable(_ entry: JSONTape.Entry, _ type: Any.Type, step: TapeStep) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(
            codingPath: path.appending(step).codingPath,
            debugDescription: "Number \(document.tape.text(entry)) is not representable in Swift as \(type)."))
    }

    func string(at index: Int, step: TapeStep) throws -> String {
        document.tape.string(try scalar(.string, String.self, at: index, step: step))
    }

    func bool(at index: Int, step: TapeStep) throws -> Bool {
        let entry = document.tape.entries[index]
        if entry.kind == .true { return true }
        if entry.kind == .false { return false }
        _ = try scalar(.true, Bool.self, at: index, step: step)
        return false
    }

    func double(at index: Int, step: TapeStep) throws -> Double {
        let entry = try scalar(.number, Double.self, at: index, step: step)
        if entry.flag, let value = exactInteger(entry, Int.self) { return Double(value) }
        guard let value = Double(document.tape.text(entry)), value.isFinite else { throw notRepresentable(entry, Double.self, step: step) }
        return value
    }

    func float(at index: Int, step: TapeStep) throws -> Float {
        let entry = try scalar(.number, Float.self, at: index, step: step)
        guard let value = Float(document.tape.text(entry)), value.isFinite else { throw notRepresentable(entry, Float.self, step: step) }
        return value
    }

    func integer<Integer: FixedWidthInteger>(_ type: Integer.Type, at index: Int, step: TapeStep) throws -> Integer {
        let entry = try scalar(.number, Integer.self, at: index, step: step)
        if entry.flag {
            if let value = exactInteger(entry, Integer.self) { return value }
        } else if let value = Double(document.tape.text(entry)), let exact = Integer(exactly: value) {
            return exact  // `2.0` and `1e2` are integers, as JSONDecoder reads them
        }
        throw notRepresentable(entry, Integer.self, step: step)
    }

    /// Digits read straight from the text; nil when the value does not fit.
    private func exactInteger<Integer: FixedWidthInteger>(_ entry: JSONTape.Entry, _ type: Integer.Type) -> Integer? {
        document.tape.bytes.withUnsafeBufferPointer { bytes in
            var position = entry.first
            let negative = bytes[position] == UInt8(ascii: "-")
            if negative {
                guard Integer.isSigned else { return bytes[position + 1] == UInt8(ascii: "0") && entry.second == position + 2 ? 0 : nil }
                position += 1
            }
            var value: Integer = 0
            while position < entry.second {
                let digit = Integer(bytes[position] - UInt8(ascii: "0"))
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                if overflow || overflow2 { return nil }
                value = next
                position += 1
            }
            return value
        }
    }

    private func data(at index: Int, step: TapeStep) throws -> Data {
        guard let data = Data(base64Encoded: try string(at: index, step: step)) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: path.appending(step).codingPath, debugDescription: "Encountered Data is not valid Base64."))
        }
        return data
    }

    private func url(at index: Int, step: TapeStep) throws -> URL {
        guard let url = URL(string: try string(at: index, step: step)) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: path.appending(step).codingPath, debugDescription: "Invalid URL string."))
        }
        return url
    }

    private func decimal(at index: Int, step: TapeStep) throws -> Decimal {
        let entry = try scalar(.number, Decimal.self, at: index, step: step)
        guard let value = Decimal(string: document.tape.text(entry), locale: Locale(identifier: "en_US_POSIX")) else {
            throw notRepresentable(entry, Decimal.self, step: step)
        }
        return value
    }

    /// Any value as `JSONValue`, the way its `Decodable` conformance reads it through `JSONDecoder`
    /// (`.int` for every number an `Int` holds exactly), without trying one type after another.
    func jsonValue(at index: Int, step: TapeStep) throws -> JSONValue {
        let tape = document.tape
        let entry = tape.entries[index]
        switch entry.kind {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .string: return .string(tape.string(entry))
        case .number:
            if entry.flag, let value = exactInteger(entry, Int.self) { return .int(value) }
            if !entry.flag, let value = Double(tape.text(entry)), let exact = Int(exactly: value) { return .int(exact) }
            return .double(try double(at: index, step: step))
        case .array:
            let container = TapeDecoder(document: document, index: index, path: path.appending(step))
            var items: [JSONValue] = []
            items.reserveCapacity(entry.first)
            var child = index + 1
            for position in 0..<entry.first {
                items.append(try container.jsonValue(at: child, step: .index(position)))
                child = tape.next(child)
            }
            return .array(items)
        case .object:
            let container = TapeDecoder(document: document, index: index, path: path.appending(step))
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(entry.first)
            var child = index + 1
            for _ in 0..<entry.first {
                let key = tape.string(tape.entries[child])
                let valueIndex = child + 1
                if members[key] == nil { members[key] = try container.jsonValue(at: valueIndex, step: .key(TapeNameKey(key))) }
                child = tape.next(valueIndex)
            }
            return .object(members)
        }
    }
}

/// A member name as a coding key, for paths through `JSONValue` objects.
struct TapeNameKey: CodingKey {
    let stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { return nil }
}
