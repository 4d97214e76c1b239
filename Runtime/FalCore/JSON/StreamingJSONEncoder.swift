import Foundation

/// Encodes `Encodable` values as JSON text written front to back, for the runtime's request bodies.
///
/// `JSONEncoder` builds a tree of boxed values and serialises it afterwards, in hash order; this writes
/// each value where it goes, so members come out in the order `encode(to:)` writes them (for generated
/// inputs: fal's property order, the same bytes every time). The output is what `JSONEncoder` with
/// `.withoutEscapingSlashes` writes up to member order: same numbers (`1` for `1.0`, `1e-07`), same
/// escapes, `Data` as Base64, `URL` as its absolute string, `Decimal` as a number, `{}` for a value that
/// encodes nothing, and the same `EncodingError` for a non-finite number.
///
/// A stream can only follow containers that are filled one after another, as synthesised and generated
/// code do. For anything else (going back to a container after a sibling was opened, `superEncoder`,
/// two single values) `encode` returns nil, and the caller uses `JSONEncoder`.
package struct StreamingJSONEncoder {
    package var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    package init() {}

    /// The JSON text of `value`, or nil when its encoding does not follow the nesting a stream can write.
    package func encode<T: Encodable>(_ value: T) throws -> Data? {
        let stream = JSONStream(userInfo: userInfo)
        do {
            try stream.write(value, encoder: StreamEncoder(stream: stream, depth: 0, path: .root))
        } catch is JSONStream.Unsupported {
            return nil
        }
        // A value's own code may have swallowed the `Unsupported` thrown at it (`try?`): the flag tells.
        if stream.unsupported { return nil }
        return Data(stream.bytes)
    }
}

/// The text written so far and the containers still open.
final class JSONStream {
    struct Unsupported: Error {}

    struct Frame {
        let id: Int
        let isObject: Bool
        var hasElements = false
    }

    var bytes: [UInt8] = []
    /// Open containers, outermost first.
    var frames: [Frame] = []
    let userInfo: [CodingUserInfoKey: Any]
    var unsupported = false
    private var lastID = 0

    init(userInfo: [CodingUserInfoKey: any Sendable]) {
        self.userInfo = userInfo
        bytes.reserveCapacity(512)
    }

    func fail() -> Unsupported {
        unsupported = true
        return Unsupported()
    }

    /// Closes the containers nested deeper than `depth` (finished values written through them).
    func close(above depth: Int) {
        while frames.count > depth {
            bytes.append(frames.removeLast().isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    func open(object: Bool) -> Int {
        lastID += 1
        frames.append(Frame(id: lastID, isObject: object))
        bytes.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
        return lastID
    }

    /// Makes container `id` the innermost open one and writes the separator before its next element.
    func startElement(in id: Int, at depth: Int) throws {
        guard frames.count > depth, frames[depth].id == id else { throw fail() }  // closed already
        close(above: depth + 1)
        if frames[depth].hasElements { bytes.append(UInt8(ascii: ",")) }
        frames[depth].hasElements = true
    }

    /// Writes one value through `encoder` (whose depth is the current nesting), closing whatever
    /// containers it opened; a value that wrote nothing is `{}`, as `JSONEncoder` has it.
    func write<T: Encodable>(_ value: T, encoder: StreamEncoder) throws {
        if try writeScalar(value, path: encoder.path) { return }
        try value.encode(to: encoder)
        close(above: encoder.depth)
        if bytes.count == encoder.start { bytes.append(contentsOf: "{}".utf8) }
    }

    /// Scalars and `JSONEncoder`'s special types straight into the text; false for anything else.
    func writeScalar<T: Encodable>(_ value: T, path: TapePath) throws -> Bool {
        // Metatype comparisons, not casts: every member of every generated struct passes through here.
        if T.self == String.self {
            writeString(value as! String)
        } else if T.self == Int.self {
            writeInteger(value as! Int)
        } else if T.self == Double.self {
            try writeDouble(value as! Double, path: path)
        } else if T.self == Bool.self {
            bytes.append(contentsOf: (value as! Bool) ? "true".utf8 : "false".utf8)
        } else if T.self == JSONValue.self {
            try writeJSON(value as! JSONValue, path: path)
        } else if T.self == Float.self {
            let number = value as! Float
            guard number.isFinite else { throw nonFinite(number, path: path) }
            writeNumberText(number.description)
        } else if T.self == URL.self {
            writeString((value as! URL).absoluteString)
        } else if T.self == Data.self {
            writeString((value as! Data).base64EncodedString())
        } else if T.self == Decimal.self {
            writeNumberText((value as! Decimal).description)
        } else if T.self is any FixedWidthInteger.Type {
            writeNumberText(String(describing: value))
        } else {
            return false
        }
        return true
    }

    func writeInteger(_ value: Int) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
    }

    func writeDouble(_ value: Double, path: TapePath) throws {
        guard value.isFinite else { throw nonFinite(value, path: path) }
        writeNumberText(value.description)
    }

    /// Swift's shortest round-tripping text, without the `.0` of whole numbers (`JSONEncoder`'s form).
    private func writeNumberText(_ text: String) {
        var text = text
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    private func nonFinite(_ value: Any, path: TapePath) -> EncodingError {
        EncodingError.invalidValue(value, EncodingError.Context(
            codingPath: path.codingPath, debugDescription: "Unable to encode \(type(of: value)).\(value) directly in JSON."))
    }

    func writeString(_ text: String) { Self.appendQuoted(text, to: &bytes) }

    /// `text` as a JSON string literal, escaped as `JSONEncoder` escapes (`"`, `\\`, and control characters;
    /// `/` and everything else as is). `Rule.quote` writes messages' values with it too.
    static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var clean = 0  // start of the run not yet copied
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<index]))
                clean = index + 1
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
                case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
                case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
                case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
                case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
                case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: #"\u00"#.utf8)
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Object members in key order: a `JSONValue` object is a dictionary, and sorted keys keep the text stable.
    private func writeJSON(_ value: JSONValue, path: TapePath) throws {
        switch value {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bytes.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .int(let number): writeInteger(number)
        case .double(let number): try writeDouble(number, path: path)
        case .string(let text): writeString(text)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try writeJSON(item, path: .index(index, path))
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(key)
                bytes.append(UInt8(ascii: ":"))
                try writeJSON(members[key]!, path: .key(TapeNameKey(key), path))
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

/// The encoder of one value slot; also its single-value container.
struct StreamEncoder: Encoder, SingleValueEncodingContainer {
    let stream: JSONStream
    /// How many containers enclose the slot: a container this value opens is `stream.frames[depth]`.
    let depth: Int
    let path: TapePath
    /// Where the slot's text starts: anything after it means the slot holds a value already.
    let start: Int

    init(stream: JSONStream, depth: Int, path: TapePath) {
        self.stream = stream
        self.depth = depth
        self.path = path
        start = stream.bytes.count
    }

    var codingPath: [any CodingKey] { path.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { stream.userInfo }

    /// The container this slot opened already (a second request gets the same one), or a new one.
    private func frame(object: Bool) -> Int? {
        if stream.frames.count > depth {
            let frame = stream.frames[depth]
            return frame.isObject == object ? frame.id : nil
        }
        return stream.bytes.count == start ? stream.open(object: object) : nil
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        guard let id = frame(object: true) else {
            _ = stream.fail()
            return KeyedEncodingContainer(StreamKeyedContainer<Key>(stream: stream, id: -1, depth: depth, path: path))
        }
        return KeyedEncodingContainer(StreamKeyedContainer<Key>(stream: stream, id: id, depth: depth, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        guard let id = frame(object: false) else {
            _ = stream.fail()
            return StreamUnkeyedContainer(stream: stream, id: -1, depth: depth, path: path)
        }
        return StreamUnkeyedContainer(stream: stream, id: id, depth: depth, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: Single value

    /// A slot takes one value: anything written there already means the code encodes twice.
    private func startValue() throws {
        guard stream.frames.count == depth, stream.bytes.count == start else { throw stream.fail() }
    }

    func encodeNil() throws { try startValue(); stream.bytes.append(contentsOf: "null".utf8) }
    func encode(_ value: Bool) throws { try startValue(); _ = try stream.writeScalar(value, path: path) }
    func encode(_ value: String) throws { try startValue(); stream.writeString(value) }
    func encode(_ value: Double) throws { try startValue(); try stream.writeDouble(value, path: path) }
    func encode(_ value: Float) throws { try startValue(); _ = try stream.writeScalar(value, path: path) }
    func encode(_ value: Int) throws { try startValue(); stream.writeInteger(value) }
    func encode(_ value: Int8) throws { try startValue(); _ = try stream.writeScalar(value, path: path) }
    func encode(_ value: Int16) throws { try startValue(); _ = try stream.writeScalar(value, path: path) }
    func encode(_ value: Int32) throws { try startValue(); _ = try stream.writeScalar(value, path: path) }
    func encode(_ value: Int64) throws { try startValue(); _ = try stream.writeScalar(value, path: path) }
    func encode(_ value: UInt) throws { try startValue(); _ = try stream.writeScalar(value, path: path) }
    func encode(_ value: UInt8) throws { try startValue(); _ = try stream.writeScalar(value, path: path) }
    func encode(_ value: UInt16) throws { try startValue(); _ = try stream.writeScalar(value, path: path) }
    func encode(_ value: UInt32) throws { try startValue(); _ = try stream.writeScalar(value, path: path) }
    func encode(_ value: UInt64) throws { try startValue(); _ = try stream.writeScalar(value, path: path) }
    func encode<T: Encodable>(_ value: T) throws { try startValue(); try stream.write(value, encoder: self) }
}

/// An object being written; `id` is its frame (-1 when the stream already gave up).
struct StreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let stream: JSONStream
    let id: Int
    let depth: Int
    let path: TapePath

    var codingPath: [any CodingKey] { path.codingPath }

    /// Separator and `"key":`; the member's value goes to the returned slot.
    private func member(_ key: Key) throws -> StreamEncoder {
        try stream.startElement(in: id, at: depth)
        stream.writeString(key.stringValue)
        stream.bytes.append(UInt8(ascii: ":"))
        return StreamEncoder(stream: stream, depth: depth + 1, path: .key(key, path))
    }

    mutating func encodeNil(forKey key: Key) throws { try member(key).encodeNil() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try member(key).encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        guard let slot = try? member(key) else {
            return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(stream: stream, id: -1, depth: depth + 1, path: .key(key, path)))
        }
        return slot.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        guard let slot = try? member(key) else { return StreamUnkeyedContainer(stream: stream, id: -1, depth: depth + 1, path: .key(key, path)) }
        return slot.unkeyedContainer()
    }

    // A super encoder's value is written after its siblings in JSONEncoder; a stream cannot place it.
    mutating func superEncoder() -> any Encoder { _ = stream.fail(); return StreamEncoder(stream: stream, depth: depth + 1, path: path) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { _ = stream.fail(); return StreamEncoder(stream: stream, depth: depth + 1, path: path) }
}

/// An array being written.
struct StreamUnkeyedContainer: UnkeyedEncodingContainer {
    let stream: JSONStream
    let id: Int
    let depth: Int
    let path: TapePath
    private(set) var count = 0

    init(stream: JSONStream, id: Int, depth: Int, path: TapePath) {
        self.stream = stream
        self.id = id
        self.depth = depth
        self.path = path
    }

    var codingPath: [any CodingKey] { path.codingPath }

    private mutating func element() throws -> StreamEncoder {
        try stream.startElement(in: id, at: depth)
        count += 1
        return StreamEncoder(stream: stream, depth: depth + 1, path: .index(count - 1, path))
    }

    mutating func encodeNil() throws { try element().encodeNil() }
    mutating func encode(_ value: Bool) throws { try element().encode(value) }
    mutating func encode(_ value: String) throws { try element().encode(value) }
    mutating func encode(_ value: Double) throws { try element().encode(value) }
    mutating func encode(_ value: Float) throws { try element().encode(value) }
    mutating func encode(_ value: Int) throws { try element().encode(value) }
    mutating func encode(_ value: Int8) throws { try element().encode(value) }
    mutating func encode(_ value: Int16) throws { try element().encode(value) }
    mutating func encode(_ value: Int32) throws { try element().encode(value) }
    mutating func encode(_ value: Int64) throws { try element().encode(value) }
    mutating func encode(_ value: UInt) throws { try element().encode(value) }
    mutating func encode(_ value: UInt8) throws { try element().encode(value) }
    mutating func encode(_ value: UInt16) throws { try element().encode(value) }
    mutating func encode(_ value: UInt32) throws { try element().encode(value) }
    mutating func encode(_ value: UInt64) throws { try element().encode(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try element().encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        guard let slot = try? element() else {
            return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(stream: stream, id: -1, depth: depth + 1, path: path))
        }
        return slot.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        guard let slot = try? element() else { return StreamUnkeyedContainer(stream: stream, id: -1, depth: depth + 1, path: path) }
        return slot.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { _ = stream.fail(); return StreamEncoder(stream: stream, depth: depth + 1, path: path) }
}
