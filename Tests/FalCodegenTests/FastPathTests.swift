import Testing
@testable import FalCodegen

/// The byte-level fast paths of naming and rendering give exactly what their `Character`/scalar
/// formulations give, on random text built from the characters that matter to them.
@Suite struct FastPathTests {
    /// SplitMix64: a fixed seed, so a failure reproduces.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func text(from alphabet: [String], using generator: inout Generator) -> String {
        (0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
    }

    @Test func asciiWordSplittingMatchesTheCharacterVersion() {
        let alphabet = ["a", "b", "z", "A", "B", "Z", "0", "4", "9", "_", "-", " ", ".", "+", "/", "\t", "\r\n", "\n", "~"]
        var generator = Generator(state: 1)
        for _ in 0..<20_000 {
            let text = Self.text(from: alphabet, using: &generator)
            #expect(SwiftNames.asciiWords(Array(text.utf8)) == SwiftNames.characterWords(text), "\(text.debugDescription)")
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
        var alphabet = ["a", "Z", " ", "\n", "\r", "\t", "\0", "\u{1B}", "\u{7F}", "é", "e\u{301}", "—", "€", "🚀", "*/", "\"\"\""]
        alphabet += [0x80, 0x85, 0x9F, 0xA0, 0x2027, 0x2028, 0x2029, 0x202A, 0x202E, 0x202F, 0x2065, 0x2066, 0x2069, 0x206A, 0xFEFE, 0xFEFF, 0x10FFFF]
            .map { String(Character(Unicode.Scalar($0)!)) }
        var generator = Generator(state: 2)
        for _ in 0..<20_000 {
            let text = Self.text(from: alphabet, using: &generator)
            #expect(SwiftSyntax.docText(text) == Self.referenceDocText(text), "\(text.debugDescription)")
        }
    }
}
