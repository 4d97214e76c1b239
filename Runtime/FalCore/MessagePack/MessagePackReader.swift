import Foundation

/// Reads MessagePack bytes into `MessagePackValue`s. Total over any input: every read is bounds-checked,
/// and bytes that are not MessagePack end in a `MessagePackError` naming the byte offset, never in a trap.
///
/// Hostile input cannot make it allocate or recurse without bound: an array, map, string, binary or
/// extension header that declares more than the remaining bytes can hold is refused before anything is
/// allocated (an array needs at least one byte per element, a map two per entry), and containers nested
/// deeper than `maxDepth` are refused.
///
/// Integers come back as `.int` when `Int64` holds them and as `.uint` only above `Int64.max`, whatever
/// width the bytes used; float32 stays `.float`, float64 `.double`; map keys may be any value.
public struct MessagePackReader: Sendable {
    /// The nesting limit a reader has unless told otherwise: 512 containers.
    public static let defaultMaxDepth = 512

    /// How many arrays and maps may enclose one another; one more is `MessagePackError.tooDeep`.
    public var maxDepth: Int

    /// A reader that refuses containers nested deeper than `maxDepth`.
    public init(maxDepth: Int = MessagePackReader.defaultMaxDepth) {
        self.maxDepth = maxDepth
    }

    /// The one value `data` holds; bytes after it are `MessagePackError.trailingBytes`.
    public func read(_ data: Data) throws(MessagePackError) -> MessagePackValue {
        let result: Swift.Result<MessagePackValue, MessagePackError> = data.withUnsafeBytes { readWhole($0) }
        return try result.get()
    }

    /// As `read(_:)`, but binary and extension payloads of `sharedPayloadBytes` or more are not copied: their
    /// `Data` points into `data`'s memory and keeps it alive. For a message that is read once and then
    /// dropped (a realtime result carrying a 768 KiB image), that saves a copy and a fresh allocation per
    /// payload. The caller must not keep `data`: a payload written to in place (it is uniquely referenced, so
    /// `Data` does not copy it) writes into `data`'s memory.
    package func read(sharing data: Data) throws(MessagePackError) -> MessagePackValue {
        let result: Swift.Result<MessagePackValue, MessagePackError> = data.withUnsafeBytes { bytes in
            // `data` is over `sharedPayloadBytes` whenever a payload is shared, so its bytes live in heap storage
            // (Data's inline form holds at most 14 bytes) at an address that lasts as long as that storage.
            readWhole(bytes, owner: data)
        }
        return try result.get()
    }

    /// The smallest payload `read(sharing:)` shares rather than copies.
    package static let sharedPayloadBytes = 64 << 10

    /// The one value `bytes` holds; bytes after it are `MessagePackError.trailingBytes`.
    public func read(_ bytes: UnsafeRawBufferPointer) throws(MessagePackError) -> MessagePackValue {
        try readWhole(bytes).get()
    }

    /// The value at the start of `data` and how many bytes it took, for inputs that hold several values one
    /// after another; what follows the value is left unread.
    public func readPrefix(_ data: Data) throws(MessagePackError) -> (value: MessagePackValue, byteCount: Int) {
        let result: Swift.Result<(value: MessagePackValue, byteCount: Int), MessagePackError> = data.withUnsafeBytes { bytes in
            var parser = MessagePackParser(bytes: bytes, maxDepth: maxDepth)
            do throws(MessagePackError) {
                let value = try parser.value(depth: 0)
                return .success((value, parser.offset))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private func readWhole(_ bytes: UnsafeRawBufferPointer, owner: Data? = nil) -> Swift.Result<MessagePackValue, MessagePackError> {
        var parser = MessagePackParser(bytes: bytes, maxDepth: maxDepth, owner: owner)
        do {
            let value = try parser.value(depth: 0)
            guard parser.offset == bytes.count else {
                return .failure(.trailingBytes(offset: parser.offset, count: bytes.count - parser.offset))
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

extension MessagePackValue {
    /// Reads the one value `data` holds (see `MessagePackReader`); bytes after it are an error.
    public init(decoding data: Data, maxDepth: Int = MessagePackReader.defaultMaxDepth) throws(MessagePackError) {
        self = try MessagePackReader(maxDepth: maxDepth).read(data)
    }
}

/// One pass over a buffer: `offset` is the next unread byte.
struct MessagePackParser {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    /// The `Data` `bytes` belong to, when large payloads may point into it (`MessagePackReader.read(sharing:)`).
    let owner: Data?
    private(set) var offset = 0

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int, owner: Data? = nil) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.owner = owner
    }

    private var remaining: Int { bytes.count - offset }

    /// The value at `offset`; `depth` containers enclose it.
    mutating func value(depth: Int) throws(MessagePackError) -> MessagePackValue {
        let start = offset
        guard offset < bytes.count else { throw .truncated(offset: start) }
        let format = bytes[offset]
        offset += 1
        switch format {
        case 0x00...0x7f: return .int(Int64(format))
        case 0x80...0x8f: return try map(count: UInt32(format & 0x0f), start: start, depth: depth)
        case 0x90...0x9f: return try array(count: UInt32(format & 0x0f), start: start, depth: depth)
        case 0xa0...0xbf: return try string(length: UInt32(format & 0x1f), start: start)
        case 0xc0: return .nil
        case 0xc1: throw .reservedByte(offset: start)
        case 0xc2: return .bool(false)
        case 0xc3: return .bool(true)
        case 0xc4: return .binary(try payload(length: UInt32(try integer(UInt8.self, start: start)), start: start))
        case 0xc5: return .binary(try payload(length: UInt32(try integer(UInt16.self, start: start)), start: start))
        case 0xc6: return .binary(try payload(length: try integer(UInt32.self, start: start), start: start))
        case 0xc7: return try extensionValue(length: UInt32(try integer(UInt8.self, start: start)), start: start)
        case 0xc8: return try extensionValue(length: UInt32(try integer(UInt16.self, start: start)), start: start)
        case 0xc9: return try extensionValue(length: try integer(UInt32.self, start: start), start: start)
        case 0xca: return .float(Float(bitPattern: try integer(UInt32.self, start: start)))
        case 0xcb: return .double(Double(bitPattern: try integer(UInt64.self, start: start)))
        case 0xcc: return .int(Int64(try integer(UInt8.self, start: start)))
        case 0xcd: return .int(Int64(try integer(UInt16.self, start: start)))
        case 0xce: return .int(Int64(try integer(UInt32.self, start: start)))
        case 0xcf: return .unsigned(try integer(UInt64.self, start: start))
        case 0xd0: return .int(Int64(try integer(Int8.self, start: start)))
        case 0xd1: return .int(Int64(try integer(Int16.self, start: start)))
        case 0xd2: return .int(Int64(try integer(Int32.self, start: start)))
        case 0xd3: return .int(try integer(Int64.self, start: start))
        case 0xd4: return try extensionValue(length: 1, start: start)
        case 0xd5: return try extensionValue(length: 2, start: start)
        case 0xd6: return try extensionValue(length: 4, start: start)
        case 0xd7: return try extensionValue(length: 8, start: start)
        case 0xd8: return try extensionValue(length: 16, start: start)
        case 0xd9: return try string(length: UInt32(try integer(UInt8.self, start: start)), start: start)
        case 0xda: return try string(length: UInt32(try integer(UInt16.self, start: start)), start: start)
        case 0xdb: return try string(length: try integer(UInt32.self, start: start), start: start)
        case 0xdc: return try array(count: UInt32(try integer(UInt16.self, start: start)), start: start, depth: depth)
        case 0xdd: return try array(count: try integer(UInt32.self, start: start), start: start, depth: depth)
        case 0xde: return try map(count: UInt32(try integer(UInt16.self, start: start)), start: start, depth: depth)
        case 0xdf: return try map(count: try integer(UInt32.self, start: start), start: start, depth: depth)
        default: return .int(Int64(Int8(bitPattern: format)))  // 0xe0...0xff: negative fixint
        }
    }

    /// A big-endian integer of the value that starts at `start`.
    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type, start: Int) throws(MessagePackError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated(offset: start) }
        let value = T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += size
        return value
    }

    /// Refuses a declared length the rest of the input cannot hold: `length` items of at least `itemSize`
    /// bytes. Compared as 64-bit numbers, so a 32-bit `Int` (watchOS) never sees a length it cannot hold.
    private func require(_ length: UInt32, itemSize: UInt64 = 1, start: Int) throws(MessagePackError) -> Int {
        guard UInt64(length) * itemSize <= UInt64(remaining) else {
            throw .lengthExceedsInput(offset: start, declared: UInt64(length), remaining: remaining)
        }
        return Int(length)
    }

    /// The next `length` bytes: copied once into their own `Data`, or, when an owner is given and they are
    /// large, a `Data` over the owner's memory that keeps the owner alive.
    private mutating func payload(length: UInt32, start: Int) throws(MessagePackError) -> Data {
        let count = try require(length, start: start)
        guard count > 0, let base = bytes.baseAddress else { return Data() }
        let data: Data
        if let owner, count >= MessagePackReader.sharedPayloadBytes {
            data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base + offset), count: count, deallocator: .custom { _, _ in
                withExtendedLifetime(owner) {}
            })
        } else {
            data = Data(bytes: base + offset, count: count)
        }
        offset += count
        return data
    }

    private mutating func string(length: UInt32, start: Int) throws(MessagePackError) -> MessagePackValue {
        let count = try require(length, start: start)
        guard count > 0, let base = bytes.baseAddress else { return .string("") }
        let utf8 = UnsafeBufferPointer(start: (base + offset).assumingMemoryBound(to: UInt8.self), count: count)
        guard let text = String(validating: utf8, as: UTF8.self) else { throw .invalidUTF8(offset: start) }
        offset += count
        return .string(text)
    }

    private mutating func extensionValue(length: UInt32, start: Int) throws(MessagePackError) -> MessagePackValue {
        let type = try integer(Int8.self, start: start)
        return .extension(type: type, data: try payload(length: length, start: start))
    }

    private mutating func array(count declared: UInt32, start: Int, depth: Int) throws(MessagePackError) -> MessagePackValue {
        guard depth < maxDepth else { throw .tooDeep(offset: start, limit: maxDepth) }
        let count = try require(declared, start: start)
        var elements: [MessagePackValue] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try value(depth: depth + 1)) }
        return .array(elements)
    }

    private mutating func map(count declared: UInt32, start: Int, depth: Int) throws(MessagePackError) -> MessagePackValue {
        guard depth < maxDepth else { throw .tooDeep(offset: start, limit: maxDepth) }
        let count = try require(declared, itemSize: 2, start: start)
        var entries: [(key: MessagePackValue, value: MessagePackValue)] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let key = try value(depth: depth + 1)
            entries.append((key, try value(depth: depth + 1)))
        }
        return .map(entries)
    }
}
