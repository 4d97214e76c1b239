import FalCore

/// The `///` lines of generated declarations. Text comes from where the schema says it: an endpoint's
/// title, description and category; a component's own description; a property's description. Text that
/// only repeats the name (`title: "Width"` on `width`) is left out, and so is a summary that only repeats the
/// endpoint's title. Prose names the schema's own fields by their Swift names (`crop_output` → `cropOutput`).
enum DocComments {
    /// `names`: the input's fields, for the endpoint's prose.
    static func endpoint(_ endpoint: Endpoint, accessor: String, names: [String: String]) -> [String] {
        let id = SwiftSyntax.inlineDoc(endpoint.id)
        let title = displayName(endpoint.id)
        var lines = [title]
        // fal's `about` is either a short title ("Image To Image", "Remove Background") or a paragraph.
        if let summary = endpoint.summary {
            if let heading = titleLike(summary) {
                if addsWords(heading, to: title) { lines = ["\(title): \(heading)"] }
            } else {
                let paragraph = SwiftSyntax.docLines(prose(summary, names: names))
                if !paragraph.isEmpty { lines += [""] + paragraph }
            }
        }
        let description = endpoint.description.map { SwiftSyntax.docLines(prose($0, names: names)) } ?? []
        if !description.isEmpty { lines += [""] + description }
        lines.append("")
        lines.append("- Endpoint: `\(id)`" + (endpoint.category.map { ", category \(SwiftSyntax.inlineDoc($0))" } ?? ""))
        lines.append("- Model page: <https://fal.ai/models/\(id)>")
        lines.append("")
        lines.append("Call it with `try await fal.\(accessor).subscribe(.init(...))`: it queues the request and waits for the output.")
        return lines
    }

    /// The one line after the endpoint's id on its `FalClient` property: fal's summary unless it only
    /// repeats the title, else the description's first line.
    static func accessorSummary(_ endpoint: Endpoint) -> String? {
        if let summary = endpoint.summary {
            if let heading = titleLike(summary) {
                if addsWords(heading, to: displayName(endpoint.id)) { return heading }
            } else if let first = SwiftSyntax.docLines(summary).first {
                return SwiftSyntax.inlineDoc(first)
            }
        }
        return endpoint.description.flatMap { SwiftSyntax.docLines($0).first }.map(SwiftSyntax.inlineDoc)
    }

    /// A summary that reads as a title: one line of at most six words, no sentence end ("Image To Image").
    static func titleLike(_ summary: String) -> String? {
        let lines = SwiftSyntax.docLines(summary)
        guard lines.count == 1, let line = lines.first, !line.hasSuffix("."), SwiftNames.words(line).count <= 6 else { return nil }
        return SwiftSyntax.inlineDoc(line)
    }

    /// Whether `heading` says something `title` does not: a word other than a leading "Generate"/"Run" that
    /// the title lacks ("Image To Image" adds nothing to "Lora Image To Image"; plurals count as the word).
    static func addsWords(_ heading: String, to title: String) -> Bool {
        func stem(_ word: String) -> String {
            let lower = word.lowercased()
            return lower.count > 3 && lower.hasSuffix("s") ? String(lower.dropLast()) : lower
        }
        let known = Set(SwiftNames.words(title).map(stem))
        var words = SwiftNames.words(heading).map(stem)
        if let first = words.first, ["generate", "run"].contains(first) { words.removeFirst() }
        return words.contains { !known.contains($0) }
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
        var names: [String: String] = [:]
        if case .structure(let structure) = declaration.body { names = propertyNames(structure.properties) }
        var lines = SwiftSyntax.docLines(prose(usefulText(meta, name: declaration.name) ?? "", names: names))
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
        return lines
    }

    /// `siblings`: the fields of the property's own structure (`propertyNames`), for its prose.
    static func property(_ property: TypeDeclaration.Property, siblings: [String: String]) -> [String] {
        var lines = SwiftSyntax.docLines(prose(usefulText(property.meta, name: property.key) ?? "", names: siblings))
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

    /// The JSON keys of `properties` that prose may name and their Swift names: only keys with an underscore
    /// (`crop_output`, never an English word) whose Swift name differs.
    static func propertyNames(_ properties: [TypeDeclaration.Property]) -> [String: String] {
        var names: [String: String] = [:]
        for property in properties where property.key.contains("_") {
            let swift = SwiftNames.bare(property.swiftName)
            if swift != property.key { names[property.key] = swift }
        }
        return names
    }

    /// Documentation prose with code spelled as Swift: whole-word mentions of `names` keys become their Swift
    /// names, and Python's `True`/`False`/`None` become `true`/`false`/`nil` where they are plainly values
    /// (a code span of their own, `x=True`, "(True)", or after "if", "is", "to", "set", "as", "or", "be").
    /// Outside code spans the replacement is put in one (replacing quotes around a key: `'image_url'`).
    /// reStructuredText's double backticks (``` ``fps`` ```) become single ones: DocC reads them as symbol links.
    /// Anything else is left as written.
    static func prose(_ text: String, names: [String: String]) -> String {
        guard text.utf8.contains(where: { [UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "T"), UInt8(ascii: "F"), UInt8(ascii: "N")].contains($0) })
        else { return text }
        let characters = Array(text)
        func isWord(_ character: Character?) -> Bool {
            guard let character, character.isASCII else { return false }
            return character.isLetter || character.isNumber || character == "_"
        }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var inCode = false
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "`" {
                inCode.toggle()
                var run = 0
                while index < characters.count, characters[index] == "`" { run += 1; index += 1 }
                result += String(repeating: "`", count: run == 2 ? 1 : run)
                continue
            }
            guard isWord(character), !isWord(index > 0 ? characters[index - 1] : nil) else {
                result.append(character)
                index += 1
                continue
            }
            var end = index
            while end < characters.count, isWord(characters[end]) { end += 1 }
            let word = String(characters[index..<end])
            let before: Character? = index > 0 ? characters[index - 1] : nil
            let after: Character? = end < characters.count ? characters[end] : nil
            let afterNext: Character? = end + 1 < characters.count ? characters[end + 1] : nil
            var replacement: String?
            if let swift = names[word] {
                let joined = before.map { "/\\.-$@#:{[<".contains($0) } ?? false
                    || after.map { "/\\-(=}]>".contains($0) } ?? false
                    || (after == "." && isWord(afterNext))
                if inCode {
                    if !joined { replacement = swift }
                } else if let quote = before, quote == "'" || quote == "\"", after == quote {
                    result.removeLast()
                    replacement = "`\(swift)`"
                    end += 1
                } else if !joined {
                    replacement = "`\(swift)`"
                }
            } else if let value = ["True": "true", "False": "false", "None": "nil"][word] {
                if inCode {
                    if before == "`", after == "`" { replacement = value }
                } else if before == "=" {
                    replacement = value
                } else if before == "(", after == ")" {
                    replacement = "`\(value)`"
                } else if before == " " {
                    var start = index - 1
                    while start > 0, isWord(characters[start - 1]) { start -= 1 }
                    let previous = String(characters[start..<(index - 1)]).lowercased()
                    if ["if", "is", "to", "set", "as", "or", "be"].contains(previous) { replacement = "`\(value)`" }
                }
            }
            result += replacement ?? word
            index = end
        }
        return result
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
