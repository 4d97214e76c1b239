import Foundation

/// Decodes `Decodable` values from MessagePack, for the realtime protocol's binary frames. It is as lenient
/// as `JSONDecoder` and no more:
/// - a `Double` or `Float` field takes any integer or float; an integer field takes any integer it holds and
///   a float that is integral and in range; anything else is `DecodingError.dataCorrupted`;
/// - `Bool` takes bool only, `String` str only; `nil` makes `decodeNil` true;
/// - `Data` takes bin, or a str holding Base64; `Date` takes a number of seconds since 1970 or a MessagePack
///   timestamp (extension type -1); `URL` takes a str; `Decimal` any number;
///   `MessagePackValue` takes the value as it is, and `JSONValue` as `JSONValue(_:)` converts it;
/// - keyed containers read maps by their str keys (the first entry of a repeated key wins; keys of other
///   types and unknown keys are ignored), and a missing key is `DecodingError.keyNotFound`.
///
/// Errors are `DecodingError`s with the coding path; bytes that are not MessagePack are
/// `DecodingError.dataCorrupted` at the root, whose `underlyingError` is the `MessagePackError`.
public struct MessagePackDecoder: Sendable {
    /// Handed to every `init(from:)` as `decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]
    /// The reader's nesting limit (see `MessagePackReader.maxDepth`).
    public var maxDepth = MessagePackReader.defaultMaxDepth

    /// A decoder with an empty `userInfo` and the default nesting limit.
    public init() {}

    /// Reads the one MessagePack value in `data` and decodes a `T` from it.
    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let value: MessagePackValue
        do {
            value = try MessagePackReader(maxDepth: maxDepth).read(data)
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: [], debugDescription: "The given data was not valid MessagePack: \(error)", underlyingError: error))
        }
        return try decode(type, from: value)
    }

    /// Decodes a `T` from a value already read.
    public func decode<T: Decodable>(_ type: T.Type, from value: MessagePackValue) throws -> T {
        let decoder = MessagePackValueDecoder(state: MessagePackDecodingState(userInfo: userInfo), value: value, path: .root)
        return try decoder.decodeValue(T.self, value, step: .none)
    }
}

/// What every decoder and container of one `decode` call shares.
final class MessagePackDecodingState {
    let userInfo: [CodingUserInfoKey: Any]
    init(userInfo: [CodingUserInfoKey: any Sendable]) { self.userInfo = userInfo }
}

/// The last step from a container to one of its values, made part of a path only when needed.
enum MessagePackStep {
    case none
    case key(any CodingKey)
    case index(Int)
}

extension MessagePackCodingPath {
    func appending(_ step: MessagePackStep) -> MessagePackCodingPath {
        switch step {
        case .none: return self
        case .key(let key): return .key(key, self)
        case .index(let index): return .index(index, self)
        }
    }
}

/// The decoder of one value; also its single-value container. Its conversions take a value of a container
/// it opened and the `step` to it, so no path is built unless an error or a nested decoder needs one.
struct MessagePackValueDecoder: Decoder, SingleValueDecodingContainer {
    let state: MessagePackDecodingState
    let value: MessagePackValue
    let path: MessagePackCodingPath

    var codingPath: [any CodingKey] { path.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { state.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .map(let entries) = value else { throw containerError([String: Any].self, "keyed") }
        return KeyedDecodingContainer(MessagePackKeyedDecodingContainer<Key>(decoder: self, entries: entries))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw containerError([Any].self, "unkeyed") }
        return MessagePackUnkeyedDecodingContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    private func containerError(_ type: Any.Type, _ name: String) -> DecodingError {
        if case .nil = value {
            return .valueNotFound(type, DecodingError.Context(
                codingPath: codingPath, debugDescription: "Cannot get \(name) decoding container -- found nil instead"))
        }
        return Self.mismatch(type, value, codingPath)
    }

    func child(_ value: MessagePackValue, step: MessagePackStep) -> MessagePackValueDecoder {
        MessagePackValueDecoder(state: state, value: value, path: path.appending(step))
    }

    // MARK: Single value container

    func decodeNil() -> Bool { value.isNil }
    func decode(_ type: Bool.Type) throws -> Bool { try bool(value, step: .none) }
    func decode(_ type: String.Type) throws -> String { try string(value, step: .none) }
    func decode(_ type: Double.Type) throws -> Double { try double(value, step: .none) }
    func decode(_ type: Float.Type) throws -> Float { try float(value, step: .none) }
    func decode(_ type: Int.Type) throws -> Int { try integer(Int.self, value, step: .none) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(Int8.self, value, step: .none) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(Int16.self, value, step: .none) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(Int32.self, value, step: .none) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(Int64.self, value, step: .none) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(UInt.self, value, step: .none) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(UInt8.self, value, step: .none) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(UInt16.self, value, step: .none) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(UInt32.self, value, step: .none) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(UInt64.self, value, step: .none) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(T.self, value, step: .none) }

    // MARK: Conversions (shared by the containers)

    /// Scalars and the special types directly; everything else through its own `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type, _ value: MessagePackValue, step: MessagePackStep) throws -> T {
        if T.self == String.self { return try string(value, step: step) as! T }
        if T.self == Int.self { return try integer(Int.self, value, step: step) as! T }
        if T.self == Double.self { return try double(value, step: step) as! T }
        if T.self == Bool.self { return try bool(value, step: step) as! T }
        if T.self == Data.self { return try data(value, step: step) as! T }
        if T.self == MessagePackValue.self { return value as! T }
        if T.self == JSONValue.self { return try JSONValue.converting(value, at: path.appending(step)) as! T }
        if T.self == Float.self { return try float(value, step: step) as! T }
        if T.self == Date.self { return try date(value, step: step) as! T }
        if T.self == URL.self { return try url(value, step: step) as! T }
        if T.self == Decimal.self { return try decimal(value, step: step) as! T }
        // Metatype comparisons, not `as? any FixedWidthInteger.Type`: a conformance lookup for every struct,
        // array and dictionary was a measurable share of decoding.
        if T.self == Int64.self { return try integer(Int64.self, value, step: step) as! T }
        if T.self == Int32.self { return try integer(Int32.self, value, step: step) as! T }
        if T.self == Int16.self { return try integer(Int16.self, value, step: step) as! T }
        if T.self == Int8.self { return try integer(Int8.self, value, step: step) as! T }
        if T.self == UInt.self { return try integer(UInt.self, value, step: step) as! T }
        if T.self == UInt64.self { return try integer(UInt64.self, value, step: step) as! T }
        if T.self == UInt32.self { return try integer(UInt32.self, value, step: step) as! T }
        if T.self == UInt16.self { return try integer(UInt16.self, value, step: step) as! T }
        if T.self == UInt8.self { return try integer(UInt8.self, value, step: step) as! T }
        return try T(from: child(value, step: step))
    }

    static func mismatch(_ type: Any.Type, _ found: MessagePackValue, _ codingPath: [any CodingKey]) -> DecodingError {
        let description = switch found {
        case .nil: "nil"
        case .bool: "a bool"
        case .int, .uint: "an integer"
        case .float, .double: "a float"
        case .string: "a string"
        case .binary: "binary data"
        case .array: "an array"
        case .map: "a map"
        case .extension(let type, _): "an extension value of type \(type)"
        }
        return DecodingError.typeMismatch(type, DecodingError.Context(
            codingPath: codingPath, debugDescription: "Expected to decode \(type) but found \(description) instead."))
    }

    /// `valueNotFound` for nil, `typeMismatch` for anything else.
    private func wrongType(_ type: Any.Type, _ value: MessagePackValue, step: MessagePackStep) -> DecodingError {
        let codingPath = path.appending(step).codingPath
        if case .nil = value {
            return .valueNotFound(type, DecodingError.Context(
                codingPath: codingPath, debugDescription: "Cannot get value of type \(type) -- found nil value instead"))
        }
        return Self.mismatch(type, value, codingPath)
    }

    private func corrupted(_ message: String, step: MessagePackStep) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: path.appending(step).codingPath, debugDescription: message))
    }

    func bool(_ value: MessagePackValue, step: MessagePackStep) throws -> Bool {
        guard case .bool(let flag) = value else { throw wrongType(Bool.self, value, step: step) }
        return flag
    }

    func string(_ value: MessagePackValue, step: MessagePackStep) throws -> String {
        guard case .string(let text) = value else { throw wrongType(String.self, value, step: step) }
        return text
    }

    func double(_ value: MessagePackValue, step: MessagePackStep) throws -> Double {
        guard let number = value.doubleValue else { throw wrongType(Double.self, value, step: step) }
        return number
    }

    func float(_ value: MessagePackValue, step: MessagePackStep) throws -> Float {
        switch value {
        case .float(let number): return number
        case .double(let number):
            let narrowed = Float(number)
            guard narrowed.isFinite || !number.isFinite else {
                throw corrupted("Number \(number) is not representable in Swift as Float.", step: step)
            }
            return narrowed
        case .int(let number): return Float(number)
        case .uint(let number): return Float(number)
        default: throw wrongType(Float.self, value, step: step)
        }
    }

    func integer<Integer: FixedWidthInteger>(_ type: Integer.Type, _ value: MessagePackValue, step: MessagePackStep) throws -> Integer {
        let exact: Integer?
        switch value {
        case .int(let number): exact = Integer(exactly: number)
        case .uint(let number): exact = Integer(exactly: number)
        case .double(let number): exact = Integer(exactly: number)  // integral and in range, as JSONDecoder reads `2.0`
        case .float(let number): exact = Integer(exactly: number)
        default: throw wrongType(Integer.self, value, step: step)
        }
        guard let exact else { throw corrupted("Number \(value) is not representable in Swift as \(Integer.self).", step: step) }
        return exact
    }

    private func data(_ value: MessagePackValue, step: MessagePackStep) throws -> Data {
        switch value {
        case .binary(let data): return data
        case .string(let text):
            guard let data = Data(base64Encoded: text) else { throw corrupted("Encountered Data is not valid Base64.", step: step) }
            return data
        default: throw wrongType(Data.self, value, step: step)
        }
    }

    private func date(_ value: MessagePackValue, step: MessagePackStep) throws -> Date {
        if let seconds = value.doubleValue { return Date(timeIntervalSince1970: seconds) }
        guard case .extension(-1, let data) = value else { throw wrongType(Date.self, value, step: step) }
        guard let (seconds, nanoseconds) = Self.timestamp(data) else {
            throw corrupted("A MessagePack timestamp has 4, 8 or 12 bytes and fewer than 10^9 nanoseconds; found \(data.count) bytes.", step: step)
        }
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }

    /// The seconds and nanoseconds of a timestamp extension's bytes (timestamp 32, 64 or 96).
    static func timestamp(_ data: Data) -> (seconds: Int64, nanoseconds: UInt32)? {
        let bytes = [UInt8](data)
        func load<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
            bytes[offset..<offset + MemoryLayout<T>.size].reduce(T.zero) { $0 << 8 | T($1) }
        }
        let result: (Int64, UInt32)
        switch bytes.count {
        case 4: result = (Int64(load(UInt32.self, at: 0)), 0)
        case 8:
            let packed = load(UInt64.self, at: 0)
            result = (Int64(packed & 0x3_ffff_ffff), UInt32(packed >> 34))
        case 12: result = (Int64(bitPattern: load(UInt64.self, at: 4)), load(UInt32.self, at: 0))
        default: return nil
        }
        return result.1 < 1_000_000_000 ? result : nil
    }

    private func url(_ value: MessagePackValue, step: MessagePackStep) throws -> URL {
        guard let url = URL(string: try string(value, step: step)) else { throw corrupted("Invalid URL string.", step: step) }
        return url
    }

    private func decimal(_ value: MessagePackValue, step: MessagePackStep) throws -> Decimal {
        switch value {
        case .int(let number): return Decimal(number)
        case .uint(let number): return Decimal(number)
        case .float, .double:
            let number = value.doubleValue!
            guard number.isFinite, let decimal = Decimal(string: "\(number)", locale: Locale(identifier: "en_US_POSIX")) else {
                throw corrupted("Number \(number) is not representable in Swift as Decimal.", step: step)
            }
            return decimal
        default: throw wrongType(Decimal.self, value, step: step)
        }
    }
}
