/// Swift identifiers from fal's JSON keys, enum values, component names and endpoint ids.
///
/// `image_url` → `imageURL`, `num_inference_steps` → `numInferenceSteps`, `DPM++ Karras SDE` →
/// `dpmKarrasSDE`, `portrait_16_9` → `portrait16x9`, `16:9` → `_16x9`, `1024x768` → `_1024x768`,
/// `default` → `` `default` ``, `3d_model` → `_3dModel`.
/// Collisions are resolved by `NameRegistry` in declaration order, so the same input always gives the same names.
public enum SwiftNames {
    /// Words written in capitals when they are not the first word: `imageURL`, `requestID`, `squareHD`.
    static let acronyms: Set<String> = ["url", "urls", "id", "ids", "http", "https", "api", "json", "uri", "uuid", "hd", "ui", "ip", "nsfw", "sdxl", "gpu", "cpu", "svg", "html", "css", "sse", "tts", "ocr", "sdk"]

    /// Keywords that cannot be identifiers without backticks.
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows", "static",
        "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer", "do", "else",
        "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while", "Any", "as",
        "await", "false", "is", "nil", "super", "self", "Self", "throws", "true", "try", "borrowing", "consuming",
    ]

    /// Keywords even backticks do not make usable as a stored property or parameter label: renamed with `_`.
    static let unusable: Set<String> = ["self", "Self", "super", "init", "deinit", "subscript", "Type", "Protocol"]

    /// Splits on non-alphanumerics and on lower→upper / letter↔digit / `HTTPServer`-style boundaries.
    static func words(_ text: String) -> [String] {
        let text = ratiosWritten(text)
        return text.utf8.allSatisfy({ $0 < 0x80 }) ? asciiWords(Array(text.utf8)) : characterWords(text)
    }

    /// Ratios and dimensions as Swift reads them, one word `4x3`: `16:9` → `16x9`, and the presets
    /// `portrait_4_3`/`landscape_16_9` → `portrait_4x3`/`landscape_16x9` (a `_` between other numbers stays:
    /// `v1_5` and `mp3_44100_128` are not ratios). `1024x768` is already written so.
    static func ratiosWritten(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return text }
        var bytes = Array(text.utf8)
        func isDigit(_ index: Int) -> Bool { index >= 0 && index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9") }
        // `A:B`, digits on both sides.
        for index in bytes.indices where bytes[index] == UInt8(ascii: ":") && isDigit(index - 1) && isDigit(index + 1) {
            bytes[index] = UInt8(ascii: "x")
        }
        // `portrait_A_B` / `landscape_A_B`.
        let lower = Array(String(decoding: bytes, as: UTF8.self).lowercased().utf8)
        for prefix in ["portrait_", "landscape_"] {
            let marker = Array(prefix.utf8)
            var start = 0
            while start + marker.count <= lower.count {
                guard Array(lower[start..<start + marker.count]) == marker, start == 0 || !isLetter(lower[start - 1]) else { start += 1; continue }
                var index = start + marker.count
                guard isDigit(index) else { start += 1; continue }
                while isDigit(index) { index += 1 }
                if index < bytes.count, bytes[index] == UInt8(ascii: "_"), isDigit(index + 1) { bytes[index] = UInt8(ascii: "x") }
                start = index
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// `words` by `Character` (an ASCII letter carrying a combining mark is not ASCII, so it splits).
    static func characterWords(_ text: String) -> [String] {
        var words: [String] = []
        var current: [Character] = []
        func flush() {
            if !current.isEmpty { words.append(String(current)); current = [] }
        }
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            guard character.isASCII, character.isLetter || character.isNumber else { flush(); continue }
            if let previous = current.last {
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let dimension = previous == "x" && current.count >= 2 && current[current.count - 2].isNumber
                    && current[0].isNumber
                let boundary =
                    (previous.isLowercase && character.isUppercase)
                    || (previous.isLetter && character.isNumber && !dimension)
                    || (previous.isUppercase && character.isUppercase && (next?.isLowercase ?? false))
                if boundary { flush() }
            }
            current.append(character)
        }
        flush()
        return words
    }

    /// `words` for ASCII text, byte by byte (each byte is a `Character` there): naming runs for every
    /// property and enum value of the corpus, and `Character` classification was a tenth of its time.
    static func asciiWords(_ bytes: [UInt8]) -> [String] {
        func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        var words: [String] = []
        var start: Int?
        for (index, byte) in bytes.enumerated() {
            guard isLower(byte) || isUpper(byte) || isDigit(byte) else {
                if let first = start { words.append(String(decoding: bytes[first..<index], as: UTF8.self)); start = nil }
                continue
            }
            if let first = start {
                let previous = bytes[index - 1]
                let next = index + 1 < bytes.count ? bytes[index + 1] : 0
                // `16x9` is one word: a digit after an `x` that follows a digit does not start one.
                let dimension = previous == UInt8(ascii: "x") && index >= 2 && isDigit(bytes[index - 2]) && first < index - 1
                    && isDigit(bytes[first])
                let boundary =
                    (isLower(previous) && isUpper(byte))
                    || ((isLower(previous) || isUpper(previous)) && isDigit(byte) && !dimension)
                    || (isUpper(previous) && isUpper(byte) && isLower(next))
                if boundary { words.append(String(decoding: bytes[first..<index], as: UTF8.self)); start = index }
            } else {
                start = index
            }
        }
        if let first = start { words.append(String(decoding: bytes[first...], as: UTF8.self)) }
        return words
    }

    private static func capitalized(_ word: String, keepUpper: Bool) -> String {
        let lower = word.lowercased()
        if acronyms.contains(lower) {
            return lower == "urls" ? "URLs" : lower == "ids" ? "IDs" : lower.uppercased()
        }
        if keepUpper, word.count > 1, word == word.uppercased(), word.contains(where: \.isLetter) { return word }
        return lower.prefix(1).uppercased() + lower.dropFirst()
    }

    /// Joins words; consecutive numbers keep a `_` between them so `1_5` does not become `15`.
    private static func join(_ parts: [String], original: [String]) -> String {
        var result = ""
        for (index, part) in parts.enumerated() {
            if index > 0, original[index - 1].first?.isNumber == true, original[index].first?.isNumber == true { result += "_" }
            result += part
        }
        return result
    }

    /// `lowerCamelCase`, for properties, enum cases and client accessors (not yet escaped).
    public static func lowerCamel(_ text: String) -> String {
        let parts = words(text)
        guard let first = parts.first else { return "value" }
        var pieces = [first.lowercased()]
        pieces += parts.dropFirst().map { capitalized($0, keepUpper: true) }
        let joined = join(pieces, original: parts)
        return joined.first?.isNumber == true ? "_" + joined : joined
    }

    /// `UpperCamelCase`, for type names.
    public static func upperCamel(_ text: String) -> String {
        let parts = words(text)
        guard !parts.isEmpty else { return "Value" }
        let joined = join(parts.map { capitalized($0, keepUpper: false) }, original: parts)
        return joined.first?.isNumber == true ? "_" + joined : joined
    }

    /// An identifier usable in declarations and member access: keywords get backticks, unusable ones a `_`.
    public static func escaped(_ identifier: String) -> String {
        if unusable.contains(identifier) { return identifier + "_" }
        return keywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    /// An identifier as written (ASCII letters, digits, `_`, not starting with a digit): what a hand-edited names lock must hold.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        } && !keywords.contains(text)
    }

    /// The name without backticks, for building other names (`value` in `if let value`).
    public static func bare(_ identifier: String) -> String {
        identifier.utf8.contains(UInt8(ascii: "`")) ? identifier.replacingOccurrences(of: "`", with: "") : identifier
    }
}

/// Hands out unique names in request order: a second `imageURL` becomes `imageURL2`.
struct NameRegistry {
    private var used: Set<String>

    init(reserved: Set<String> = []) { used = reserved }

    mutating func claim(_ base: String) -> String {
        var name = base
        var counter = 2
        while used.contains(name) || used.contains(SwiftNames.bare(name)) {
            name = "\(SwiftNames.bare(base))\(counter)"
            counter += 1
        }
        used.insert(SwiftNames.bare(name))
        return name
    }

    func isUsed(_ name: String) -> Bool { used.contains(name) }
}
