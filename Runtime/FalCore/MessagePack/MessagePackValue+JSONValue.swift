import Foundation

extension MessagePackValue {
    /// The MessagePack form of a JSON value; total. `.null` is `.nil`, numbers are `.int` or `.double`
    /// as they are in `json`, and an object is a map with str keys sorted, so the same object always
    /// encodes to the same bytes (a `JSONValue` object keeps no member order).
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .nil
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(Int64(number))
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .array(let elements): self = .array(elements.map(MessagePackValue.init))
        case .object(let members):
            self = .map(members.keys.sorted().map { (key: .string($0), value: MessagePackValue(members[$0]!)) })
        }
    }
}

extension JSONValue {
    /// The JSON form of a MessagePack value, as `JSONDecoder` would read the same data from JSON:
    /// - integers become `.int` when `Int` holds them, else `.double` (rounded: lossy beyond 2^53);
    /// - `.float` and `.double` become `.int` when integral and `Int` holds them (`2.0` is `.int(2)`, and
    ///   `-0.0` is `.int(0)`), else `.double`; `NaN` and the infinities stay `.double`, which JSON text
    ///   cannot hold (`JSONEncoder` refuses them);
    /// - `.binary` becomes a Base64 `.string` (lossy: it reads back as a string), as `JSONEncoder` writes `Data`;
    /// - a map becomes an `.object`; of a repeated key the first entry wins, as `MessagePackDecoder` reads it.
    ///
    /// - Throws: `DecodingError.typeMismatch`, with the path to the value, for what JSON has no form for:
    ///   a map key that is not a string, and an extension value (a timestamp included).
    public init(_ value: MessagePackValue) throws {
        self = try JSONValue.converting(value, at: .root)
    }

    static func converting(_ value: MessagePackValue, at path: MessagePackCodingPath) throws -> JSONValue {
        switch value {
        case .nil: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return Int(exactly: number).map(JSONValue.int) ?? .double(Double(number))
        case .uint(let number): return Int(exactly: number).map(JSONValue.int) ?? .double(Double(number))
        case .float(let number): return JSONValue.number(Double(number))
        case .double(let number): return JSONValue.number(number)
        case .string(let text): return .string(text)
        case .binary(let data): return .string(data.base64EncodedString())
        case .array(let elements):
            var converted: [JSONValue] = []
            converted.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() { converted.append(try converting(element, at: .index(index, path))) }
            return .array(converted)
        case .map(let entries):
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(entries.count)
            for entry in entries {
                guard case .string(let key) = entry.key else {
                    throw DecodingError.typeMismatch(String.self, DecodingError.Context(
                        codingPath: path.codingPath, debugDescription: "A JSON object's keys are strings; this map has the key \(entry.key)."))
                }
                if members[key] == nil { members[key] = try converting(entry.value, at: .key(MessagePackNameKey(key), path)) }
            }
            return .object(members)
        case .extension(let type, let data):
            throw DecodingError.typeMismatch(JSONValue.self, DecodingError.Context(
                codingPath: path.codingPath, debugDescription: "A MessagePack extension value (type \(type), \(data.count) bytes) has no JSON form."))
        }
    }

    private static func number(_ number: Double) -> JSONValue {
        Int(exactly: number).map(JSONValue.int) ?? .double(number)
    }
}
