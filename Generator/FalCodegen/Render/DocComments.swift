import FalCore

/// The `///` lines of generated declarations. Text comes from where the schema says it: an endpoint's
/// title, description and category; a component's own description; a property's description. Text that
/// only repeats the name (`title: "Width"` on `width`) is left out, and each type says where it came from.
enum DocComments {
    static func endpoint(_ endpoint: Endpoint, accessor: String) -> [String] {
        let id = SwiftSyntax.inlineDoc(endpoint.id)
        let title = displayName(endpoint.id)
        var lines: [String]
        if let summary = endpoint.summary.map(SwiftSyntax.inlineDoc), !summary.isEmpty, !sameWords(summary, title) {
            lines = ["\(title): \(summary)"]
        } else {
            lines = [title]
        }
        let description = endpoint.description.map(SwiftSyntax.docLines) ?? []
        if !description.isEmpty { lines += [""] + description }
        lines.append("")
        lines.append("- Endpoint: `\(id)`" + (endpoint.category.map { ", category \(SwiftSyntax.inlineDoc($0))" } ?? ""))
        lines.append("- Model page: <https://fal.ai/models/\(id)>")
        lines.append("")
        lines.append("Call it as `fal.\(accessor).run(.init(...))`.")
        return lines
    }

    /// `fal-ai/fast-sdxl/image-to-image` → "Fast SDXL Image To Image" (fal's own owner left out).
    static func displayName(_ id: String) -> String {
        let trimmed = id.hasPrefix("fal-ai/") ? String(id.dropFirst("fal-ai/".count)) : id
        return SwiftNames.words(trimmed).map { word in
            SwiftNames.acronyms.contains(word.lowercased()) ? word.uppercased() : word.prefix(1).uppercased() + word.dropFirst()
        }.joined(separator: " ")
    }

    static func type(_ declaration: TypeDeclaration, endpointID: String) -> [String] {
        let meta = declaration.meta
        var lines = SwiftSyntax.docLines(usefulText(meta, name: declaration.name) ?? "")
        if lines.isEmpty {
            switch declaration.role {
            case .input: lines = ["The input of `\(SwiftSyntax.inlineDoc(endpointID))`."]
            case .output: lines = ["The result of `\(SwiftSyntax.inlineDoc(endpointID))`."]
            case .nested: break
            }
        }
        if !declaration.alsoUsedAt.isEmpty {
            let places = declaration.alsoUsedAt.map { "`\($0)`" }.joined(separator: ", ")
            lines += (lines.isEmpty ? [] : [""]) + ["Also the type of \(places), which take the same values."]
        }
        if meta.deprecated { lines += (lines.isEmpty ? [] : [""]) + ["Deprecated by fal."] }
        let origin = declaration.origin.hasPrefix("#") ? "`\(SwiftSyntax.inlineDoc(declaration.origin))`" : declaration.origin
        lines += (lines.isEmpty ? [] : [""]) + ["Generated from \(origin)."]
        return lines
    }

    static func property(_ property: TypeDeclaration.Property) -> [String] {
        var lines = SwiftSyntax.docLines(usefulText(property.meta, name: property.key) ?? "")
        var facts: [String] = []
        if let value = property.meta.defaultValue { facts.append("Default: `\(SwiftSyntax.docValue(value))`") }
        let constraints = constraintSummary(property.slot.schema)
        if !constraints.isEmpty { facts.append("Constraints: \(constraints)") }
        if let example = property.meta.examples.first { facts.append("Example: `\(SwiftSyntax.docValue(example))`") }
        if property.meta.deprecated { facts.append("Deprecated by fal.") }
        if !facts.isEmpty {
            if !lines.isEmpty { lines.append("") }
            lines += facts.map { "- " + $0 }
        }
        return lines
    }

    /// The description, else the title, unless it only repeats `name` ("Url" on `url`, "Image Size" on `ImageSize`).
    static func usefulText(_ meta: Schema.Metadata, name: String) -> String? {
        for text in [meta.description, meta.title].compactMap({ $0 }) where !sameWords(text, name) && !text.allSatisfy(\.isWhitespace) {
            // A bare title without a space is a schema name (`IllusionDiffusionInput`), not prose.
            if text == meta.title, meta.description == nil, !text.contains(" ") { return nil }
            return text
        }
        return nil
    }

    private static func sameWords(_ text: String, _ name: String) -> Bool {
        SwiftNames.words(text).map { $0.lowercased() } == SwiftNames.words(name).map { $0.lowercased() }
    }

    static func constraintSummary(_ schema: Schema) -> String {
        var parts: [String] = []
        switch schema.kind {
        case .integer(let c), .number(let c):
            if let v = c.minimum { parts.append("minimum \(SwiftSyntax.number(v))") }
            if let v = c.exclusiveMinimum { parts.append("greater than \(SwiftSyntax.number(v))") }
            if let v = c.maximum { parts.append("maximum \(SwiftSyntax.number(v))") }
            if let v = c.exclusiveMaximum { parts.append("less than \(SwiftSyntax.number(v))") }
            if let v = c.multipleOf { parts.append("multiple of \(SwiftSyntax.number(v))") }
        case .string(let c):
            if let v = c.minLength { parts.append("at least \(v) characters") }
            if let v = c.maxLength { parts.append("at most \(v) characters") }
            if let v = c.pattern { parts.append("matches '\(SwiftSyntax.docValue(.string(v)).dropFirst().dropLast())'") }
        case .array(let a):
            if let v = a.minItems { parts.append("at least \(v) items") }
            if let v = a.maxItems { parts.append("at most \(v) items") }
            if a.uniqueItems { parts.append("unique items") }
        case .integerEnum(let values): parts.append("one of " + values.map(String.init).joined(separator: ", "))
        case .mixedEnum(let values): parts.append("one of " + values.map(SwiftSyntax.docValue).joined(separator: ", "))
        case .constant(let value): parts.append("always `\(SwiftSyntax.docValue(value))`")
        default: break
        }
        return parts.joined(separator: ", ")
    }
}
