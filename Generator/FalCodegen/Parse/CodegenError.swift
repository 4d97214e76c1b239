/// A document the generator cannot use: names the file and the JSON path inside it.
public struct CodegenError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// JSONPath-like location inside the file (`$.components.schemas.Input`), or empty.
    public var path: String
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String {
        "error: \(file)\(path.isEmpty ? "" : " at \(path)"): \(message)"
    }
}

/// Something the generator could not express exactly; the rest of the document is still generated.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case warning, note }

    public var severity: Severity
    public var file: String
    public var path: String
    public var message: String

    public init(severity: Severity = .warning, file: String, path: String, message: String) {
        self.severity = severity
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String {
        "\(severity.rawValue): \(file)\(path.isEmpty ? "" : " at \(path)"): \(message)"
    }
}

/// Builds the JSONPath-like locations of diagnostics: `$.components.schemas.Input`, `$.paths['/a/b'].post`.
enum JSONPath {
    /// `path.key`, or `path['key']` when the key is not a plain ASCII name (digits first, slashes, spaces, dots, quotes).
    static func member(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(key.utf8.first!) && key.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "$"): return true
            default: return false
            }
        }
        if plain { return "\(path).\(key)" }
        return "\(path)['\(key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))']"
    }
}
