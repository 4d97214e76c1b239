/// Checks UTF-8 fed in pieces split anywhere, even inside a code point: a text message arrives in fragments
/// and network chunks, and is refused (close code 1007) at the first byte that cannot be UTF-8.
///
/// It accepts exactly what RFC 3629 allows (and Swift's `String(validating:as:)` agrees with): no overlong
/// forms, no surrogates (U+D800–U+DFFF), nothing above U+10FFFF.
package struct UTF8StreamValidator: Sendable, Equatable {
    /// Continuation bytes the current code point still needs.
    private var pending = 0
    /// The range the next continuation byte must be in (narrower than 0x80–0xBF right after some leads).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    /// A validator at the start of a text.
    package init() {}

    /// Whether everything fed so far ends on a code point boundary (a text may end here).
    package var isAtBoundary: Bool { pending == 0 }

    /// Feeds the next bytes; false at the first byte that makes the text invalid (the validator is then
    /// spent: start a new one for a new text).
    package mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            if pending == 0 {
                // ASCII runs eight bytes at a time: most text (JSON) is ASCII.
                while index + 8 <= count, bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                }
                guard index < count else { break }
                let byte = bytes[index]
                index += 1
                if byte < 0x80 { continue }
                switch byte {
                case 0xC2...0xDF: (pending, lower, upper) = (1, 0x80, 0xBF)
                case 0xE0: (pending, lower, upper) = (2, 0xA0, 0xBF)  // no overlong 3-byte forms
                case 0xE1...0xEC, 0xEE...0xEF: (pending, lower, upper) = (2, 0x80, 0xBF)
                case 0xED: (pending, lower, upper) = (2, 0x80, 0x9F)  // no surrogates
                case 0xF0: (pending, lower, upper) = (3, 0x90, 0xBF)  // no overlong 4-byte forms
                case 0xF1...0xF3: (pending, lower, upper) = (3, 0x80, 0xBF)
                case 0xF4: (pending, lower, upper) = (3, 0x80, 0x8F)  // nothing above U+10FFFF
                default: return false  // a continuation byte with no lead, C0/C1 (overlong), F5–FF
                }
            } else {
                let byte = bytes[index]
                index += 1
                guard byte >= lower && byte <= upper else { return false }
                pending -= 1
                (lower, upper) = (0x80, 0xBF)
            }
        }
        return true
    }

    /// `consume` over any contiguous bytes.
    package mutating func consume(_ bytes: some Collection<UInt8>) -> Bool {
        if let result = bytes.withContiguousStorageIfAvailable({ consume(UnsafeRawBufferPointer($0)) }) { return result }
        return Array(bytes).withUnsafeBytes { consume($0) }
    }
}
