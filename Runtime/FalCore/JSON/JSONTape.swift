import Foundation

/// JSON text parsed into one flat array of entries, in document order, with nothing materialised: strings
/// and numbers stay byte ranges of the text until something asks for them, and a container knows where
/// its subtree ends, so skipping a member costs nothing.
///
/// `JSONDecoder` builds a dictionary of every object's keys (one `String` per key) before the first
/// lookup; for fal's small API answers that was most of the decoding time. The grammar it accepts is
/// `JSONDecoder`'s: RFC 8259 plus trailing commas, any value at the top level, UTF-8 only.
struct JSONTape {
    enum Kind: UInt8 {
        case null, `false`, `true`, number, string, array, object
    }

    struct Entry {
        var kind: Kind
        /// Strings: the text holds backslash escapes. Numbers: written as an integer (no fraction or exponent).
        var flag: Bool
        /// Scalars: first byte (strings: after the opening quote). Containers: element (or member) count.
        var first: Int
        /// Scalars: end byte (strings: the closing quote). Containers: index of the entry after the subtree.
        var second: Int
    }

    /// The text, followed by one NUL so a scan may always look one byte ahead.
    let bytes: [UInt8]
    let entries: [Entry]
    /// An extra `null` entry after the document: the value of `superDecoder(forKey:)` for a missing key.
    var nullIndex: Int { entries.count - 1 }

    static let maximumDepth = 512

    init(_ data: Data) throws(JSONSyntaxError) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(data.count + 1)
        bytes.append(contentsOf: data)
        bytes.append(0)
        var parser = Parser(count: data.count)
        try bytes.withUnsafeBufferPointer { (text) throws(JSONSyntaxError) in try parser.parseDocument(text) }
        parser.entries.append(Entry(kind: .null, flag: false, first: 0, second: 0))
        self.bytes = bytes
        self.entries = parser.entries
    }

    /// Index of the entry after `index` and its subtree.
    func next(_ index: Int) -> Int {
        let entry = entries[index]
        return entry.kind == .array || entry.kind == .object ? entry.second : index + 1
    }

    /// The value entry of the first member of the object entry `object` named `wanted` (the first of
    /// duplicates, as `JSONDecoder` picks).
    func member(_ wanted: UnsafeBufferPointer<UInt8>, of object: Int) -> Int? {
        var name = object + 1
        for _ in 0..<entries[object].first {
            if string(entries[name], equals: wanted) { return name + 1 }
            name = next(name + 1)
        }
        return nil
    }

    /// The text of a number or a string without escapes.
    func text(_ entry: Entry) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[entry.first..<entry.second]), as: UTF8.self) }
    }

    /// A string entry's value, escapes resolved (the parser checked them and the UTF-8).
    func string(_ entry: Entry) -> String {
        guard entry.flag else { return text(entry) }
        var decoded = [UInt8]()
        decoded.reserveCapacity(entry.second - entry.first)
        var position = entry.first
        while position < entry.second {
            let byte = bytes[position]
            guard byte == UInt8(ascii: "\\") else {
                decoded.append(byte)
                position += 1
                continue
            }
            let escape = bytes[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(Self.hexValue(bytes, at: position))
                position += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // The parser checked that a low surrogate escape follows.
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (UInt32(Self.hexValue(bytes, at: position + 2)) - 0xDC00)
                    position += 6
                }
                decoded.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default: decoded.append(escape)  // `"`, `\`, `/`
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Whether a string entry's value is exactly `name`, without materialising it when it has no escapes.
    func string(_ entry: Entry, equals name: UnsafeBufferPointer<UInt8>) -> Bool {
        if entry.flag { return string(entry).utf8.elementsEqual(name) }
        guard entry.second - entry.first == name.count else { return false }
        return bytes.withUnsafeBufferPointer { text in
            guard let base = text.baseAddress, let other = name.baseAddress else { return name.isEmpty }
            return memcmp(base + entry.first, other, name.count) == 0
        }
    }

    static func hexValue(_ bytes: some RandomAccessCollection<UInt8>, at position: Int) -> UInt16 {
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = bytes[bytes.index(bytes.startIndex, offsetBy: position + offset)]
            let digit: UInt8 = switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            default: byte - UInt8(ascii: "A") + 10
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}

/// Why the text is not JSON, and where (a byte offset into the text).
struct JSONSyntaxError: Error, CustomStringConvertible {
    var message: String
    var offset: Int
    var description: String { "The given data was not valid JSON: \(message) at byte \(offset)." }
}

extension JSONTape {
    /// Recursive descent over the text; it appends entries and checks everything the decoder later trusts.
    fileprivate struct Parser {
        var entries: [Entry] = []
        var position = 0
        let count: Int

        init(count: Int) {
            self.count = count
            entries.reserveCapacity(16)
        }

        mutating func parseDocument(_ text: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) {
            skipSpace(text)
            try parseValue(text, depth: 0)
            skipSpace(text)
            if position < count { throw failure("unexpected text after the value") }
        }

        func failure(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: position) }

        mutating func skipSpace(_ text: UnsafeBufferPointer<UInt8>) {
            while position < count {
                switch text[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func parseValue(_ text: UnsafeBufferPointer<UInt8>, depth: Int) throws(JSONSyntaxError) {
            guard position < count else { throw failure("unexpected end of text") }
            switch text[position] {
            case UInt8(ascii: "\""): try parseString(text)
            case UInt8(ascii: "{"): try parseContainer(text, kind: .object, depth: depth)
            case UInt8(ascii: "["): try parseContainer(text, kind: .array, depth: depth)
            case UInt8(ascii: "t"): try parseLiteral(text, "true", .true)
            case UInt8(ascii: "f"): try parseLiteral(text, "false", .false)
            case UInt8(ascii: "n"): try parseLiteral(text, "null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber(text)
            default: throw failure("unexpected character '\(Unicode.Scalar(text[position]))'")
            }
        }

        mutating func parseLiteral(_ text: UnsafeBufferPointer<UInt8>, _ literal: StaticString, _ kind: Kind) throws(JSONSyntaxError) {
            let length = literal.utf8CodeUnitCount
            guard position + length <= count, memcmp(text.baseAddress! + position, literal.utf8Start, length) == 0 else {
                throw failure("invalid literal")
            }
            entries.append(Entry(kind: kind, flag: false, first: position, second: position + length))
            position += length
        }

        mutating func parseContainer(_ text: UnsafeBufferPointer<UInt8>, kind: Kind, depth: Int) throws(JSONSyntaxError) {
            guard depth < JSONTape.maximumDepth else { throw failure("nested more than \(JSONTape.maximumDepth) levels deep") }
            let closing = kind == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let index = entries.count
            entries.append(Entry(kind: kind, flag: false, first: 0, second: 0))
            position += 1
            var elements = 0
            skipSpace(text)
            while position < count, text[position] != closing {
                if kind == .object {
                    guard text[position] == UInt8(ascii: "\"") else { throw failure("expected a member name in quotes") }
                    try parseString(text)
                    skipSpace(text)
                    guard position < count, text[position] == UInt8(ascii: ":") else { throw failure("expected ':' after a member name") }
                    position += 1
                    skipSpace(text)
                }
                try parseValue(text, depth: depth + 1)
                elements += 1
                skipSpace(text)
                guard position < count else { break }
                if text[position] == UInt8(ascii: ",") {
                    position += 1  // a trailing comma before the closing bracket is accepted, as JSONDecoder does
                    skipSpace(text)
                } else if text[position] != closing {
                    throw failure(kind == .object ? "expected ',' or '}'" : "expected ',' or ']'")
                }
            }
            guard position < count else { throw failure("unexpected end of text: unclosed \(kind == .object ? "object" : "array")") }
            position += 1
            entries[index].first = elements
            entries[index].second = entries.count
        }

        mutating func parseNumber(_ text: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) {
            let start = position
            func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
            // `text` ends with a NUL past `count`, so looking one byte ahead never leaves the buffer.
            if text[position] == UInt8(ascii: "-") { position += 1 }
            guard isDigit(text[position]) else { throw failure("expected a digit") }
            if text[position] == UInt8(ascii: "0") {
                position += 1
                if isDigit(text[position]) { throw failure("leading zero in a number") }
            } else {
                while isDigit(text[position]) { position += 1 }
            }
            var integer = true
            if text[position] == UInt8(ascii: ".") {
                integer = false
                position += 1
                guard isDigit(text[position]) else { throw failure("expected a digit after '.'") }
                while isDigit(text[position]) { position += 1 }
            }
            if text[position] == UInt8(ascii: "e") || text[position] == UInt8(ascii: "E") {
                integer = false
                position += 1
                if text[position] == UInt8(ascii: "+") || text[position] == UInt8(ascii: "-") { position += 1 }
                guard isDigit(text[position]) else { throw failure("expected a digit in the exponent") }
                while isDigit(text[position]) { position += 1 }
            }
            entries.append(Entry(kind: .number, flag: integer, first: start, second: position))
        }

        mutating func parseString(_ text: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) {
            position += 1
            let start = position
            var escaped = false
            while true {
                guard position < count else { throw failure("unterminated string") }
                let byte = text[position]
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    try parseEscape(text)
                } else if byte < 0x20 {
                    throw failure("unescaped control character in a string")
                } else if byte < 0x80 {
                    position += 1
                } else {
                    try parseMultibyte(text)
                }
            }
            entries.append(Entry(kind: .string, flag: escaped, first: start, second: position))
            position += 1
        }

        mutating func parseEscape(_ text: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) {
            guard position + 1 < count else { throw failure("unterminated escape") }
            switch text[position + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                position += 2
            case UInt8(ascii: "u"):
                let unit = try hexEscape(text, at: position)
                position += 6
                if (0xDC00...0xDFFF).contains(unit) { throw failure("unpaired low surrogate") }
                if (0xD800...0xDBFF).contains(unit) {
                    guard position + 1 < count, text[position] == UInt8(ascii: "\\"), text[position + 1] == UInt8(ascii: "u"),
                          (0xDC00...0xDFFF).contains(try hexEscape(text, at: position))
                    else { throw failure("unpaired high surrogate") }
                    position += 6
                }
            default:
                throw failure("invalid escape")
            }
        }

        /// The code unit of the `\uXXXX` escape at `start`.
        func hexEscape(_ text: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONSyntaxError) -> UInt16 {
            guard start + 6 <= count else { throw JSONSyntaxError(message: "incomplete \\u escape", offset: start) }
            for offset in 2..<6 where !text[start + offset].isHexDigit {
                throw JSONSyntaxError(message: "invalid \\u escape", offset: start)
            }
            return JSONTape.hexValue(text, at: start + 2)
        }

        /// One UTF-8 sequence of two to four bytes: no overlong forms, no surrogates, nothing past U+10FFFF.
        mutating func parseMultibyte(_ text: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) {
            let lead = text[position]
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: throw failure("invalid UTF-8")
            }
            guard position + length <= count else { throw failure("invalid UTF-8") }
            let second = text[position + 1]
            guard second >= lower, second <= upper else { throw failure("invalid UTF-8") }
            for offset in 2..<length where text[position + offset] & 0xC0 != 0x80 { throw failure("invalid UTF-8") }
            position += length
        }
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
