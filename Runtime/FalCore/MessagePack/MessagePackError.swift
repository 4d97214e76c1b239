/// Why `MessagePackReader` refused its input, and at which byte. The reader never traps and never
/// allocates for a length the input cannot hold: hostile bytes end in one of these.
public enum MessagePackError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input ends inside the value (a header, a number or an element) that starts at `offset`.
    case truncated(offset: Int)
    /// The format byte at `offset` is `0xc1`, which MessagePack reserves and never uses.
    case reservedByte(offset: Int)
    /// The string starting at `offset` is not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// One whole value ended at `offset`, and `count` bytes follow it.
    case trailingBytes(offset: Int, count: Int)
    /// The array or map starting at `offset` would nest deeper than `limit` containers.
    case tooDeep(offset: Int, limit: Int)
    /// The value starting at `offset` declares `declared` bytes (strings, binary, extensions) or elements
    /// (arrays, maps) that the `remaining` bytes of the input cannot hold; refused before anything is allocated.
    case lengthExceedsInput(offset: Int, declared: UInt64, remaining: Int)

    /// The byte offset in the input where the problem was found.
    public var offset: Int {
        switch self {
        case .truncated(let offset), .reservedByte(let offset), .invalidUTF8(let offset),
            .trailingBytes(let offset, _), .tooDeep(let offset, _), .lengthExceedsInput(let offset, _, _):
            return offset
        }
    }

    /// One sentence naming the problem and its byte offset.
    public var description: String {
        switch self {
        case .truncated(let offset):
            return "MessagePack input is truncated: the value at byte \(offset) runs past the end of the input"
        case .reservedByte(let offset):
            return "MessagePack format byte 0xc1 at byte \(offset) is reserved and never used"
        case .invalidUTF8(let offset):
            return "MessagePack string at byte \(offset) is not valid UTF-8"
        case .trailingBytes(let offset, let count):
            return "MessagePack value ends at byte \(offset) but \(count) more \(count == 1 ? "byte follows" : "bytes follow")"
        case .tooDeep(let offset, let limit):
            return "MessagePack container at byte \(offset) nests deeper than the limit of \(limit)"
        case .lengthExceedsInput(let offset, let declared, let remaining):
            return "MessagePack value at byte \(offset) declares a length of \(declared) but only \(remaining) \(remaining == 1 ? "byte remains" : "bytes remain")"
        }
    }
}
