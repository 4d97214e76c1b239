import Foundation

/// Writes MessagePack into a byte array, each value in its smallest form, as Python's `msgpack.packb(…,
/// use_bin_type=True)` writes it: fixint, then uint8…uint64 for non-negative integers and int8…int64 for
/// negative ones; fixstr/str8/str16/str32; bin8/16/32; fixarray/array16/32; fixmap/map16/32;
/// fixext 1/2/4/8/16, then ext8/16/32. Floats keep their width: `.float` is float32, `.double` float64.
///
/// MessagePack lengths are 32-bit: a string, byte run, array or map of more than 4,294,967,295 bytes or
/// elements cannot be written and stops the program (a precondition, not an error to handle).
public struct MessagePackWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer with room for `capacity` bytes before its buffer grows.
    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// The bytes written so far, as `Data` (one copy).
    public var data: Data { Data(bytes) }

    /// Forgets the bytes written and keeps the buffer: a writer reused for values of about the same size
    /// (a server's results) allocates and grows once, not once per value.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Writes `value` and everything inside it.
    public mutating func write(_ value: MessagePackValue) {
        switch value {
        case .nil: writeNil()
        case .bool(let flag): writeBool(flag)
        case .int(let number): writeInt(number)
        case .uint(let number): writeUInt(number)
        case .float(let number): writeFloat(number)
        case .double(let number): writeDouble(number)
        case .string(let text): writeString(text)
        case .binary(let data): writeBinary(data)
        case .array(let elements):
            writeArrayHeader(count: elements.count)
            for element in elements { write(element) }
        case .map(let entries):
            writeMapHeader(count: entries.count)
            for entry in entries {
                write(entry.key)
                write(entry.value)
            }
        case .extension(let type, let data): writeExtension(type: type, data: data)
        }
    }

    /// Writes `nil` (`0xc0`).
    public mutating func writeNil() { bytes.append(0xc0) }

    /// Writes `true` (`0xc3`) or `false` (`0xc2`).
    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 0xc3 : 0xc2) }

    /// Writes a signed integer in its smallest form: non-negative ones as `writeUInt` does, negative ones as
    /// a negative fixint (-32…-1) or int8/16/32/64.
    public mutating func writeInt(_ value: Int64) {
        if value >= 0 {
            writeUInt(UInt64(value))
        } else if value >= -32 {
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else if value >= Int64(Int8.min) {
            bytes.append(0xd0)
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else if value >= Int64(Int16.min) {
            bytes.append(0xd1)
            appendBigEndian(Int16(truncatingIfNeeded: value))
        } else if value >= Int64(Int32.min) {
            bytes.append(0xd2)
            appendBigEndian(Int32(truncatingIfNeeded: value))
        } else {
            bytes.append(0xd3)
            appendBigEndian(value)
        }
    }

    /// Writes an unsigned integer in its smallest form: positive fixint (0…127), then uint8/16/32/64.
    public mutating func writeUInt(_ value: UInt64) {
        if value < 0x80 {
            bytes.append(UInt8(value))
        } else if value <= UInt64(UInt8.max) {
            bytes.append(0xcc)
            bytes.append(UInt8(value))
        } else if value <= UInt64(UInt16.max) {
            bytes.append(0xcd)
            appendBigEndian(UInt16(value))
        } else if value <= UInt64(UInt32.max) {
            bytes.append(0xce)
            appendBigEndian(UInt32(value))
        } else {
            bytes.append(0xcf)
            appendBigEndian(value)
        }
    }

    /// Writes a float32 (`0xca`), its bits as they are (NaN payloads included).
    public mutating func writeFloat(_ value: Float) {
        bytes.append(0xca)
        appendBigEndian(value.bitPattern)
    }

    /// Writes a float64 (`0xcb`), its bits as they are (NaN payloads included).
    public mutating func writeDouble(_ value: Double) {
        bytes.append(0xcb)
        appendBigEndian(value.bitPattern)
    }

    /// Writes a string's UTF-8 bytes as fixstr (up to 31 bytes), str8, str16 or str32.
    public mutating func writeString(_ value: String) {
        var text = value
        text.withUTF8 { utf8 in
            writeLengthHeader(utf8.count, fixBase: 0xa0, fixLimit: 31, eight: 0xd9, sixteen: 0xda, thirtyTwo: 0xdb)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes bytes as bin8, bin16 or bin32.
    public mutating func writeBinary(_ data: Data) {
        data.withUnsafeBytes { writeBinary($0) }
    }

    /// Writes bytes as bin8, bin16 or bin32.
    public mutating func writeBinary(_ raw: UnsafeRawBufferPointer) {
        writeLengthHeader(raw.count, fixBase: nil, fixLimit: -1, eight: 0xc4, sixteen: 0xc5, thirtyTwo: 0xc6)
        append(raw)
    }

    /// Writes the header of an array of `count` elements (fixarray, array16 or array32); the elements
    /// are written after it.
    public mutating func writeArrayHeader(count: Int) {
        writeLengthHeader(count, fixBase: 0x90, fixLimit: 15, eight: nil, sixteen: 0xdc, thirtyTwo: 0xdd)
    }

    /// Writes the header of a map of `count` entries (fixmap, map16 or map32); each entry's key and then
    /// its value are written after it.
    public mutating func writeMapHeader(count: Int) {
        writeLengthHeader(count, fixBase: 0x80, fixLimit: 15, eight: nil, sixteen: 0xde, thirtyTwo: 0xdf)
    }

    /// Writes an extension value: fixext 1/2/4/8/16 when `data` has one of those sizes, else ext8/16/32.
    public mutating func writeExtension(type: Int8, data: Data) {
        let count = data.count
        switch count {
        case 1: bytes.append(0xd4)
        case 2: bytes.append(0xd5)
        case 4: bytes.append(0xd6)
        case 8: bytes.append(0xd7)
        case 16: bytes.append(0xd8)
        default: writeLengthHeader(count, fixBase: nil, fixLimit: -1, eight: 0xc7, sixteen: 0xc8, thirtyTwo: 0xc9)
        }
        bytes.append(UInt8(bitPattern: type))
        data.withUnsafeBytes { append($0) }
    }

    // MARK: Helpers

    /// The smallest header for `count`: the fix form (`fixBase | count`) up to `fixLimit`, then the 8-, 16-
    /// and 32-bit length forms that exist (nil: no such form).
    private mutating func writeLengthHeader(_ count: Int, fixBase: UInt8?, fixLimit: Int, eight: UInt8?, sixteen: UInt8, thirtyTwo: UInt8) {
        if let fixBase, count <= fixLimit {
            bytes.append(fixBase | UInt8(count))
        } else if let eight, count <= Int(UInt8.max) {
            bytes.append(eight)
            bytes.append(UInt8(count))
        } else if count <= Int(UInt16.max) {
            bytes.append(sixteen)
            appendBigEndian(UInt16(count))
        } else {
            precondition(UInt64(count) <= UInt64(UInt32.max), "MessagePack cannot hold a length of \(count) (the limit is 2^32 - 1)")
            bytes.append(thirtyTwo)
            appendBigEndian(UInt32(count))
        }
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { append($0) }
    }

    private mutating func append(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        bytes.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: raw.count))
    }
}

extension MessagePackValue {
    /// This value's MessagePack bytes, each part in its smallest form (see `MessagePackWriter`).
    public func encoded() -> Data {
        var writer = MessagePackWriter()
        writer.write(self)
        return writer.data
    }
}
