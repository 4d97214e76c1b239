import FalCore

/// Unions: their cases (string presets flattened in, `.custom(ImageSize)` for the one object next to
/// presets) and how they decode: by `discriminator` when every alternative can be told apart by it,
/// otherwise by trying each shape from the most to the least specific.
extension TypePlanner {
    mutating func unionPlan(_ union: UnionSchema, context: Context) -> TypeDeclaration.Union {
        var registry = NameRegistry(reserved: ["other", "init", "rawValue"])
        let objects = union.alternatives.filter { if case .object = endpoint.resolve($0).kind { return true } else { return false } }
        let presetsOnly = union.alternatives.allSatisfy { alternative in
            switch (alternative.kind, endpoint.resolve(alternative).kind) {
            case (.reference, .object), (.object, _), (.stringEnum, _): return true
            default: return false
            }
        }
        var cases: [TypeDeclaration.UnionCase] = []
        var caseOfAlternative: [Int: String] = [:]
        for (position, alternative) in union.alternatives.enumerated() {
            if case .stringEnum(let values) = alternative.kind {
                for value in values {
                    cases.append(.init(swiftName: registry.claim(SwiftNames.escaped(SwiftNames.lowerCamel(value))), payload: nil, raw: value))
                }
                continue
            }
            let slot = self.slot(alternative, suggested: "Option\(position + 1)", context: context.descending("anyOf", String(position)))
            let base: String
            if objects.count == 1, presetsOnly, case .object = endpoint.resolve(alternative).kind {
                base = "custom"
            } else {
                base = Self.caseName(for: slot.type)
            }
            let name = registry.claim(SwiftNames.escaped(base))
            caseOfAlternative[position] = name
            cases.append(.init(swiftName: name, payload: slot, raw: nil))
        }
        if let discriminator = union.discriminator,
            let tags = discriminatorTags(union, discriminator, caseOfAlternative: caseOfAlternative)
        {
            return .init(cases: cases, decoding: .discriminated(property: discriminator.propertyName, cases: tags))
        }
        return .init(cases: cases, decoding: attempts(cases))
    }

    /// The discriminator value of each alternative: the `mapping` entries that target it, else the `const`
    /// (or one-value `enum`) of its discriminator property, else its component name (OpenAPI's implicit
    /// mapping). Nil when an alternative is not an object, so the union decodes by trying shapes instead.
    private func discriminatorTags(_ union: UnionSchema, _ discriminator: UnionSchema.Discriminator,
                                   caseOfAlternative: [Int: String]) -> [(value: String, caseName: String)]? {
        var tags: [(value: String, caseName: String)] = []
        var seen = Set<String>()
        for (position, alternative) in union.alternatives.enumerated() {
            guard let caseName = caseOfAlternative[position], case .object(let object) = endpoint.resolve(alternative).kind else { return nil }
            var values: [String] = []
            if case .reference(let component) = alternative.kind {
                values = discriminator.mapping.filter { $0.component == component }.map(\.value)
            }
            if values.isEmpty, let property = object.property(discriminator.propertyName) {
                switch endpoint.resolve(property).kind {
                case .constant(.string(let value)): values = [value]
                case .stringEnum(let allowed) where allowed.count == 1: values = allowed
                default: break
                }
            }
            if values.isEmpty, case .reference(let component) = alternative.kind { values = [component] }
            guard !values.isEmpty else { return nil }
            for value in values where seen.insert(value).inserted { tags.append((value, caseName)) }
        }
        return tags
    }

    /// Strings first (presets by value, then a string case for any other string), then the payload cases
    /// from the most to the least specific JSON shape, so `1` is an integer before it is a number.
    private func attempts(_ cases: [TypeDeclaration.UnionCase]) -> TypeDeclaration.UnionDecoding {
        let presets = cases.compactMap { item in item.raw.map { (raw: $0, caseName: item.swiftName) } }
        let payloads = cases.filter { $0.payload != nil }
        let stringCase = payloads.first { item in
            switch item.payload!.type { case .string, .file: return true; default: return false }
        }
        let ordered = payloads.enumerated().sorted {
            (Self.decodingRank($0.element.payload!.type), $0.offset) < (Self.decodingRank($1.element.payload!.type), $1.offset)
        }
        var attempts: [String] = []
        for (_, item) in ordered {
            // With presets the string case is reached through the preset switch's `default`.
            if !presets.isEmpty, item.swiftName == stringCase?.swiftName { continue }
            attempts.append(item.swiftName)
        }
        var wrapsFile = false
        if let stringCase, case .file = stringCase.payload!.type { wrapsFile = true }
        return .attempts(presets: presets, stringFallback: presets.isEmpty ? nil : stringCase?.swiftName, wrapsFile: wrapsFile, attempts: attempts)
    }

    private static func decodingRank(_ type: SwiftType) -> Int {
        switch type {
        case .bool: return 0
        case .int: return 1
        case .double: return 2
        case .string, .file: return 3
        case .named, .indirect, .shared, .array, .map: return 4
        case .json: return 5
        }
    }

    static func caseName(for type: SwiftType) -> String {
        switch type {
        case .named(let name), .indirect(let name): return SwiftNames.lowerCamel(name)
        case .shared(let shared): return SwiftNames.lowerCamel(String(shared.rawValue.dropFirst(3)))
        case .string: return "string"
        case .file: return "file"
        case .int: return "integer"
        case .double: return "number"
        case .bool: return "boolean"
        case .json: return "json"
        case .array(let element):
            if case .file = element.type { return "files" }
            return caseName(for: element.type) + "Array"
        case .map: return "dictionary"
        }
    }
}
