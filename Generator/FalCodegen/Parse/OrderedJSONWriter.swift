import FalCore

extension OrderedJSON {
    /// JSON text. `sortedKeys` orders members by key (what `fal-codegen fetch` stores, so diffs are
    /// readable); `indent` pretty-prints with that many spaces per level; numbers keep their spelling.
    public func serialized(sortedKeys: Bool = false, indent: Int? = nil) -> String {
        var output = ""
        write(into: &output, sortedKeys: sortedKeys, indent: indent, level: 0)
        return output
    }

    private func write(into output: inout String, sortedKeys: Bool, indent: Int?, level: Int) {
        func newline(_ depth: Int) {
            guard let indent else { return }
            output += "\n" + String(repeating: " ", count: indent * depth)
        }
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let text): output += text
        case .string(let value): output += Rule.quote(value)
        case .array(let items):
            if items.isEmpty { output += "[]"; return }
            output += "["
            for (position, item) in items.enumerated() {
                if position > 0 { output += "," }
                newline(level + 1)
                item.write(into: &output, sortedKeys: sortedKeys, indent: indent, level: level + 1)
            }
            newline(level)
            output += "]"
        case .object(let members):
            if members.isEmpty { output += "{}"; return }
            let ordered = sortedKeys ? members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : members
            output += "{"
            for (position, member) in ordered.enumerated() {
                if position > 0 { output += "," }
                newline(level + 1)
                output += Rule.quote(member.key) + (indent == nil ? ":" : ": ")
                member.value.write(into: &output, sortedKeys: sortedKeys, indent: indent, level: level + 1)
            }
            newline(level)
            output += "}"
        }
    }
}
