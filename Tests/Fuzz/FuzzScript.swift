// The fuzzer's bytes as a script of choices, shared by the ClientFuzz and OpenAPIMutation targets
// (scripts/fuzz.sh compiles this file into both).

/// The input's bytes, read front to back (in ClientFuzz by the driver and the scripted transport alike). Once
/// they run out, every read is 0, so every loop driven by them ends.
struct FuzzScript {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var exhausted: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func int(_ upper: Int) -> Int { upper <= 1 ? 0 : Int(byte()) % upper }
    mutating func int16() -> Int { Int(byte()) << 8 | Int(byte()) }
    mutating func bool() -> Bool { byte() & 1 == 1 }
    /// True one time in `n` (on the byte's value, so the fuzzer can steer it).
    mutating func oneIn(_ n: Int) -> Bool { Int(byte()) % n == 0 }
    mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }

    /// Up to `max` raw bytes, length first.
    mutating func raw(max: Int) -> [UInt8] {
        let length = min(Int(byte()), max, bytes.count - min(position, bytes.count))
        defer { position += length }
        return Array(bytes[position..<(position + length)])
    }

    /// Raw bytes as text (invalid UTF-8 repaired, as a transport's header parser would).
    mutating func text(max: Int = 64) -> String { String(decoding: raw(max: max), as: UTF8.self) }

    /// Up to 23 bytes as text, the length taken with `int` (the OpenAPI mutator's keys and strings).
    mutating func shortText() -> String {
        let length = int(24)
        return String(decoding: (0..<length).map { _ in byte() }, as: UTF8.self)
    }
}
