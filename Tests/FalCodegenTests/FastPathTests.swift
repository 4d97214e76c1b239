import Testing
@testable import FalCodegen

/// The byte-level fast paths of naming and rendering give exactly what their `Character`/scalar
/// formulations give, on every string up to a few characters long built from the characters that matter to them.
@Suite struct FastPathTests {
    /// Every concatenation of up to `length` elements of `alphabet`.
    static func strings(from alphabet: [String], upTo length: Int) -> [String] {
        var all = [""]
        var previous = [""]
        for _ in 0..<length {
            previous = previous.flatMap { prefix in alphabet.map { prefix + $0 } }
            all += previous
        }
        return all
    }

    @Test func asciiWordSplittingMatchesTheCharacterVersion() {
        // Boundaries look at the previous, current and next character: five positions cover every combination.
        for text in Self.strings(from: ["a", "z", "A", "Z", "0", "9", "_", " ", "\r\n"], upTo: 5) {
            let ascii = SwiftNames.asciiWords(Array(text.utf8))
            if ascii != SwiftNames.characterWords(text) { Issue.record("\(text.debugDescription): \(ascii)"); return }
        }
        #expect(SwiftNames.words("HTTPServer_url2x") == ["HTTP", "Server", "url", "2x"])
        #expect(SwiftNames.words("e\u{301}tat_url") == ["tat", "url"], "a letter with a combining mark is not an ASCII letter")
    }

    /// The scalar-by-scalar definition `docText` replaced.
    static func referenceDocText(_ text: String) -> String {
        var cleaned = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{85}" { cleaned += "\n" }
            else if scalar == "\t" { cleaned += "    " }
            else if scalar == "\r" { continue }
            else if !SwiftSyntax.isUnsafe(scalar) { cleaned.unicodeScalars.append(scalar) }
        }
        return cleaned
    }

    @Test func documentationTextCleaningMatchesTheScalarVersion() {
        var alphabet = ["a", " ", "\n", "\r", "\t", "\0", "\u{1B}", "\u{7F}", "é", "e\u{301}", "—", "🚀", "*/"]
        // Each side of every range `isUnsafe` and the line breaks cover, in every UTF-8 length.
        alphabet += [0x80, 0x85, 0x9F, 0xA0, 0x2027, 0x2028, 0x2029, 0x202A, 0x202E, 0x202F, 0x2065, 0x2066, 0x2069, 0x206A, 0xFEFE, 0xFEFF, 0x10FFFF]
            .map { String(Character(Unicode.Scalar($0)!)) }
        for text in Self.strings(from: alphabet, upTo: 3) where SwiftSyntax.docText(text) != Self.referenceDocText(text) {
            Issue.record("\(text.debugDescription): \(SwiftSyntax.docText(text).debugDescription)")
            return
        }
    }
}
