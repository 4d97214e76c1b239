import FalCore

/// Text helpers that make arbitrary schema text safe inside generated Swift.
enum SwiftSyntax {
    /// A Swift string literal for any text: quotes, backslashes, control characters and line
    /// separators are escaped, so no description or enum value can end the literal or the line.
    static func literal(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\0": result += "\\0"
            default:
                if isUnsafe(scalar) {
                    result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// Controls, line/paragraph separators and bidi overrides: never written raw into source.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: return true
        default: return false
        }
    }

    /// A number as a Swift literal (`80`, `7.5`, `1e+20`).
    static func number(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// A `JSONValue` expression.
    static func json(_ value: JSONValue) -> String {
        switch value {
        case .null: return ".null"
        case .bool(let flag): return ".bool(\(flag))"
        case .int(let number): return ".int(\(number))"
        case .double(let number): return ".double(\(number.isFinite ? "\(number)" : "0"))"
        case .string(let text): return ".string(\(literal(text)))"
        case .array(let items): return ".array([\(items.map(json).joined(separator: ", "))])"
        case .object(let members):
            if members.isEmpty { return ".object([:])" }
            return ".object([" + members.keys.sorted().map { "\(literal($0)): \(json(members[$0]!))" }.joined(separator: ", ") + "])"
        }
    }

    /// `///` lines for a documentation text: dedented, trimmed, control characters removed.
    static func docLines(_ text: String) -> [String] {
        var lines = docText(text).split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var line = line
            while line.last == " " { line = line.dropLast() }
            return line
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        let indent = lines.filter { !$0.isEmpty }.map { $0.prefix(while: { $0 == " " }).count }.min() ?? 0
        var result: [String] = []
        for line in lines {
            let text = String(line.dropFirst(min(indent, line.count)))
            if text.isEmpty, result.last?.isEmpty == true { continue }
            result.append(text)
        }
        return result
    }

    /// The text with line breaks (`\n`, U+2028, U+2029, U+0085) as `\n`, tabs as four spaces, and `\r` and
    /// the other `isUnsafe` scalars removed. Works on UTF-8 bytes, copying everything else as it is:
    /// descriptions are most of the generated text, and appending them scalar by scalar was slow.
    static func docText(_ text: String) -> String {
        var source = text
        return source.withUTF8 { bytes in
            var cleaned: [UInt8] = []
            cleaned.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x80 {
                    switch byte {
                    case 0x0A: cleaned.append(0x0A)
                    case 0x09: cleaned += [0x20, 0x20, 0x20, 0x20]
                    case 0..<0x20, 0x7F: break  // `\r` and the other controls
                    default: cleaned.append(byte)
                    }
                    index += 1
                    continue
                }
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                let second = bytes[index + 1]
                let third = length > 2 ? bytes[index + 2] : 0
                switch (byte, second, third) {
                case (0xC2, 0x85, _), (0xE2, 0x80, 0xA8), (0xE2, 0x80, 0xA9): cleaned.append(0x0A)  // U+0085, U+2028, U+2029
                case (0xC2, 0x80...0x9F, _),  // C1 controls
                     (0xE2, 0x80, 0xAA...0xAE), (0xE2, 0x81, 0xA6...0xA9),  // bidi embeddings, overrides, isolates
                     (0xEF, 0xBB, 0xBF):  // U+FEFF
                    break
                default: cleaned += bytes[index..<index + length]
                }
                index += length
            }
            return String(decoding: cleaned, as: UTF8.self)
        }
    }

    /// Short one-line rendering of an example or default for a doc comment.
    static func docValue(_ value: JSONValue) -> String {
        let text = value.compactText
        let clipped = text.unicodeScalars.count > 200 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(200))) + "…" : text
        return inlineDoc(clipped)
    }

    /// Documentation text on one line, with backticks made quotes so it cannot open a code span.
    static func inlineDoc(_ text: String) -> String {
        let line = docLines(text).joined(separator: " ")
        return line.utf8.contains(UInt8(ascii: "`")) ? line.replacingOccurrences(of: "`", with: "'") : line
    }
}

/// Accumulates indented lines.
struct CodeWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ content: String = "") {
        if content.isEmpty { text += "\n"; return }
        text += String(repeating: "    ", count: depth) + content + "\n"
    }

    mutating func lines(_ contents: [String]) { for content in contents { line(content) } }

    mutating func doc(_ lines: [String]) {
        for content in lines { line(content.isEmpty ? "///" : "/// " + content) }
    }

    /// A `switch`: its `case` lines stay at the switch's own indentation, as Swift style has it.
    mutating func switchBlock(_ opening: String, _ body: (inout CodeWriter) -> Void) {
        line(opening + " {")
        body(&self)
        line("}")
    }

    /// The longest line written unwrapped; longer argument lists go one per line.
    static let lineLimit = 120

    /// `head(a, b)` plus `tail` on one line, or, when there are more than `maxInline` arguments or the line would
    /// pass `lineLimit` columns, one argument per line with the closing parenthesis on a line of its own.
    mutating func call(_ head: String, _ arguments: [String], _ tail: String = "", maxInline: Int = .max) {
        for content in wrapped(head, arguments, tail, maxInline: maxInline) { line(content) }
    }

    /// `block` whose opening is an argument list (`public init(...)`), wrapped as `call` wraps.
    mutating func block(_ head: String, _ arguments: [String], maxInline: Int, _ body: (inout CodeWriter) -> Void) {
        var opening = wrapped(head, arguments, " {", maxInline: maxInline)
        let last = opening.removeLast()
        for content in opening { line(content) }
        block(String(last.dropLast(2)), body)
    }

    /// Whether `content` fits within `lineLimit` at the current indentation.
    func fits(_ content: String) -> Bool { depth * 4 + content.count <= Self.lineLimit }

    private func wrapped(_ head: String, _ arguments: [String], _ tail: String, maxInline: Int) -> [String] {
        let single = head + "(" + arguments.joined(separator: ", ") + ")" + tail
        if arguments.count <= maxInline, depth * 4 + single.count <= Self.lineLimit || arguments.count <= 1 { return [single] }
        return [head + "("] + arguments.enumerated().map { "    " + $1 + ($0 == arguments.count - 1 ? "" : ",") } + [")" + tail]
    }

    mutating func block(_ opening: String, _ body: (inout CodeWriter) -> Void) {
        line(opening + " {")
        depth += 1
        body(&self)
        depth -= 1
        line("}")
    }
}
