import Foundation

/// A `MessagePackValue` field in a `Codable` model: `MessagePackEncoder` and `MessagePackDecoder` carry it as
/// it is; other coders (JSON) get its nearest form.
extension MessagePackValue: Codable {
    /// From `MessagePackDecoder`, the value as read. From any other decoder, what the data holds, tried in
    /// this order: nil, bool, `Int64`, `UInt64`, `Double`, string, array, then a map with string keys (in
    /// the decoder's `allKeys` order).
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? MessagePackValueDecoder {
            self = decoder.value
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .nil
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Int64.self) {
            self = .int(number)
        } else if let number = try? container.decode(UInt64.self) {
            self = .uint(number)
        } else if let number = try? container.decode(Double.self) {
            self = .double(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let elements = try? container.decode([MessagePackValue].self) {
            self = .array(elements)
        } else {
            let members = try decoder.container(keyedBy: MessagePackNameKey.self)
            self = .map(try members.allKeys.map { key in
                (key: .string(key.stringValue), value: try members.decode(MessagePackValue.self, forKey: key))
            })
        }
    }

    /// To `MessagePackEncoder`, the value as it is. To any other encoder: `.binary` as `Data`, integers and
    /// floats as `Int64`, `UInt64`, `Float` and `Double`, a map as a keyed container in entry order.
    ///
    /// - Throws: `EncodingError.invalidValue` for what only MessagePack can hold, outside `MessagePackEncoder`:
    ///   a map key that is not a string, and an extension value.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? MessagePackSlotEncoder {
            encoder.slot.node = .value(self)
            return
        }
        switch self {
        case .map(let entries):
            var members = encoder.container(keyedBy: MessagePackNameKey.self)
            for entry in entries {
                guard case .string(let key) = entry.key else {
                    throw EncodingError.invalidValue(self, EncodingError.Context(
                        codingPath: encoder.codingPath, debugDescription: "Only MessagePack can hold the map key \(entry.key); other formats take string keys."))
                }
                try members.encode(entry.value, forKey: MessagePackNameKey(key))
            }
            return
        case .extension(let type, _):
            throw EncodingError.invalidValue(self, EncodingError.Context(
                codingPath: encoder.codingPath, debugDescription: "A MessagePack extension value (type \(type)) has no form outside MessagePack."))
        default: break
        }
        var container = encoder.singleValueContainer()
        switch self {
        case .nil: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .int(let number): try container.encode(number)
        case .uint(let number): try container.encode(number)
        case .float(let number): try container.encode(number)
        case .double(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .binary(let data): try container.encode(data)
        case .array(let elements): try container.encode(elements)
        case .map, .extension: break  // written above
        }
    }
}
