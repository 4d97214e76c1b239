import FalCore

/// fal's `default` as a Swift expression of the field's type, for the generated `Defaults` constants
/// (`IllusionDiffusion.Input.Defaults.guidanceScale == 7.5`). Only values the type can spell directly are
/// given: numbers, strings, booleans, enum cases and union presets, arrays of those, and JSON values.
/// A `null` default means "absent" and has no constant; object defaults stay in the doc comment.
enum DefaultValues {
    static func expression(_ value: JSONValue, for type: SwiftType, declarations: [TypeDeclaration]) -> String? {
        switch (type, value) {
        case (_, .null): return nil
        case (.bool, .bool(let flag)): return flag ? "true" : "false"
        case (.int, .int(let number)): return String(number)
        case (.int, .double(let number)) where number.rounded() == number && abs(number) < 1e15: return String(Int64(number))
        case (.double, .int(let number)): return String(number)
        case (.double, .double(let number)) where number.isFinite: return SwiftSyntax.number(number)
        case (.string, .string(let text)), (.file, .string(let text)): return SwiftSyntax.literal(text)
        case (.json, _): return SwiftSyntax.json(value)
        case (.map, .object(let members)) where members.isEmpty: return "[:]"
        case (.array(let element), .array(let items)):
            var parts: [String] = []
            for item in items {
                guard let part = expression(item, for: element.type, declarations: declarations) else { return nil }
                parts.append(part)
            }
            return "[" + parts.joined(separator: ", ") + "]"
        case (.named(let name), .string(let raw)):
            guard let declaration = declarations.first(where: { $0.name == name }) else { return nil }
            switch declaration.body {
            case .stringEnum(let cases): return cases.first { $0.raw == raw }.map { "." + SwiftNames.bare($0.swiftName) }
            case .union(let union): return union.cases.first { $0.raw == raw }.map { "." + SwiftNames.bare($0.swiftName) }
            default: return nil
            }
        default: return nil
        }
    }
}
