import FalCore
import Foundation

/// Compares two versions of fal endpoints' JSON schemas: the wire layer of the change report (`WireLayer` keeps
/// what the Swift declarations do not show).
///
/// The comparison is structural: `$ref`s are followed, so renamed components (fal's legacy documents call
/// `ImageSize` `registry__image__fast_sdxl__models__ImageSize`) compare equal when they resolve to the same
/// shape. Titles and examples are not compared. Where a field was added, removed or changed its type, only
/// that change is reported, not the differences beneath it.
enum SchemaDiff {
    /// Both sets matched by endpoint id: endpoints only in `old` are removed, only in `new` added.
    static func compare(old: [Endpoint], new: [Endpoint]) -> WireReport {
        let names = EndpointNaming.names(for: old.map(\.id) + new.map(\.id))
        let oldByID = Dictionary(old.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let newByID = Dictionary(new.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let ids = Set(oldByID.keys).union(newByID.keys).sorted()
        return WireReport(endpoints: ids.map { id in
            compare(old: oldByID[id], new: newByID[id], typeName: names[id]!.type)
        })
    }

    /// One endpoint. `typeName` is its generated Swift type (`FluxLora`); nil on a side means absent there.
    static func compare(old: Endpoint?, new: Endpoint?, typeName: String) -> WireEndpointChanges {
        guard let old, let new else {
            let id = (old ?? new)?.id ?? ""
            let change = old == nil
                ? WireChange(kind: .additive, side: .endpoint, path: "", symbol: typeName,
                            message: "Endpoint added: `fal.\(EndpointNaming.lowerFirst(typeName))` is new.")
                : WireChange(kind: .breaking, side: .endpoint, path: "", symbol: typeName,
                            message: "Endpoint removed: `\(typeName)` and `fal.\(EndpointNaming.lowerFirst(typeName))` go away.")
            return WireEndpointChanges(id: id, changes: old == nil && new == nil ? [] : [change])
        }
        var changes: [WireChange] = []
        for side in [WireChange.Side.input, .output] {
            var walk = SchemaWalk(old: old, new: new, side: side)
            let root = Location(path: "", symbol: "\(typeName).\(side == .input ? "Input" : "Output")")
            let before = side == .input ? old.input : old.output
            let after = side == .input ? new.input : new.output
            switch (before, after) {
            case (nil, nil): break
            case (let before?, let after?): walk.compare(before, after, at: root)
            default:
                walk.report(.breaking, at: root, after == nil
                    ? "The \(side.rawValue) body schema is gone; `\(root.symbol)` becomes untyped JSON."
                    : "The \(side.rawValue) body now has a schema; `\(root.symbol)` changes from untyped JSON to a typed value.")
            }
            changes += walk.changes
        }
        return WireEndpointChanges(id: new.id, changes: changes)
    }
}

/// A field's place: its JSON path in the body and its Swift spelling.
struct Location: Hashable {
    var path: String
    var symbol: String

    func property(_ name: String) -> Location {
        Location(path: path.isEmpty ? name : "\(path).\(name)", symbol: "\(symbol).\(SwiftNames.lowerCamel(name))")
    }

    var element: Location { Location(path: path + "[]", symbol: symbol + "[]") }
    var mapValue: Location { Location(path: path + "{}", symbol: symbol + "{}") }
}

/// The walk over one side (input or output) of an endpoint pair.
struct SchemaWalk {
    let old: Endpoint
    let new: Endpoint
    let side: WireChange.Side
    private(set) var changes: [WireChange] = []
    /// Reference pairs being compared further up, so recursive schemas end.
    private var visiting: Set<[String]> = []

    init(old: Endpoint, new: Endpoint, side: WireChange.Side) {
        self.old = old
        self.new = new
        self.side = side
    }

    var isInput: Bool { side == .input }

    mutating func report(_ kind: WireChange.Kind, at location: Location, _ message: String) {
        changes.append(WireChange(kind: kind, side: side, path: location.path, symbol: location.symbol, message: message))
    }

    mutating func compare(_ before: Schema, _ after: Schema, at location: Location) {
        var pair: [String]?
        if case .reference(let oldName) = before.kind, case .reference(let newName) = after.kind {
            guard visiting.insert([oldName, newName]).inserted else { return }
            pair = [oldName, newName]
        }
        defer { if let pair { visiting.remove(pair) } }
        compareResolved(old.resolve(before), new.resolve(after), at: location)
    }

    private mutating func compareResolved(_ before: Schema, _ after: Schema, at location: Location) {
        compareMetadata(before.meta, after.meta, at: location)
        let (oldCategory, newCategory) = (SchemaCategory(before.kind), SchemaCategory(after.kind))
        guard oldCategory == newCategory else {
            report(.breaking, at: location,
                   "Type changed from \(oldCategory.phrase) to \(newCategory.phrase); the Swift type of `\(location.symbol)` changes.")
            return
        }
        switch (before.kind, after.kind) {
        case (.integer(let a), .integer(let b)), (.number(let a), .number(let b)):
            if isInput { compareNumeric(a, b, at: location) }
        case (.string(let a), .string(let b)):
            if isInput { compareString(a, b, at: location) }
        case (.stringEnum(let a), .stringEnum(let b)):
            compareEnum(a.map { JSONValue.string($0) }, b.map { JSONValue.string($0) }, at: location)
        case (.integerEnum(let a), .integerEnum(let b)):
            compareEnum(a.map { JSONValue.int($0) }, b.map { JSONValue.int($0) }, at: location)
        case (.mixedEnum(let a), .mixedEnum(let b)):
            compareEnum(a, b, at: location)
        case (.constant(let a), .constant(let b)) where a != b:
            report(isInput ? .breaking : .notice, at: location, isInput
                ? "The only accepted value changed from \(a.jsonText) to \(b.jsonText)."
                : "The constant value changed from \(a.jsonText) to \(b.jsonText).")
        case (.array(let a), .array(let b)):
            compareArray(a, b, at: location)
        case (.object(let a), .object(let b)):
            compareObject(a, b, at: location)
        case (.union(let a), .union(let b)):
            compareUnion(a.alternatives, b.alternatives, at: location)
        case (.allOf(let a), .allOf(let b)):
            for (partBefore, partAfter) in zip(a, b) { compare(partBefore, partAfter, at: location) }
            if a.count != b.count {
                report(.breaking, at: location, "The number of `allOf` parts changed from \(a.count) to \(b.count).")
            }
        default:
            break
        }
    }

    // MARK: Documentation and defaults

    private mutating func compareMetadata(_ before: Schema.Metadata, _ after: Schema.Metadata, at location: Location) {
        let (oldText, newText) = (before.description.map(Self.collapsed), after.description.map(Self.collapsed))
        if oldText != newText {
            switch (oldText, newText) {
            case (nil, _): report(.notice, at: location, "Description added.")
            case (_, nil): report(.notice, at: location, "Description removed.")
            default: report(.notice, at: location, "Description reworded.")
            }
        }
        if isInput, before.defaultValue != after.defaultValue {
            switch (before.defaultValue, after.defaultValue) {
            case (nil, let value?): report(.notice, at: location, "fal now applies \(value.jsonText) when the field is omitted.")
            case (let value?, nil): report(.notice, at: location, "No default any more (was \(value.jsonText)).")
            case (let was?, let now?): report(.notice, at: location, "Default changed from \(was.jsonText) to \(now.jsonText).")
            default: break
            }
        }
        if !before.deprecated, after.deprecated {
            report(.notice, at: location, "Deprecated.")
        }
    }

    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    // MARK: Objects

    private mutating func compareObject(_ before: ObjectSchema, _ after: ObjectSchema, at location: Location) {
        let newNames = Set(after.properties.map(\.name))
        for property in before.properties where !newNames.contains(property.name) {
            let field = location.property(property.name)
            report(.breaking, at: field, isInput
                ? "Input field removed: code that sets `\(field.symbol)` stops compiling."
                : "Output field removed: code that reads `\(field.symbol)` stops compiling.")
        }
        for property in after.properties {
            let field = location.property(property.name)
            let requiredNow = after.isRequired(property.name)
            guard let previous = before.property(property.name) else {
                if isInput {
                    report(requiredNow ? .breaking : .additive, at: field, requiredNow
                        ? "New required input field: every `Input(...)` call must now pass `\(Self.lastComponent(field.symbol))`."
                        : "New optional input field `\(Self.lastComponent(field.symbol))`.")
                } else {
                    report(.additive, at: field, "New output field `\(Self.lastComponent(field.symbol))`.")
                }
                continue
            }
            let requiredBefore = before.isRequired(property.name)
            if isInput {
                if !requiredBefore, requiredNow {
                    report(.breaking, at: field, "Now required: calls that leave out `\(Self.lastComponent(field.symbol))` stop compiling.")
                } else if requiredBefore, !requiredNow {
                    report(.additive, at: field, "No longer required: `\(Self.lastComponent(field.symbol))` may be left out.")
                }
            } else {
                let optionalBefore = !requiredBefore || old.resolve(previous).meta.nullable
                let optionalNow = !requiredNow || new.resolve(property.schema).meta.nullable
                if !optionalBefore, optionalNow {
                    report(.breaking, at: field, "May now be absent: `\(field.symbol)` becomes optional and must be unwrapped.")
                } else if optionalBefore, !optionalNow {
                    report(.notice, at: field, "Always present now: `\(field.symbol)` is no longer optional; drop unwrapping of it.")
                }
            }
            compare(previous, property.schema, at: field)
        }
        switch (before.additionalProperties, after.additionalProperties) {
        case (.schema(let a), .schema(let b)):
            compare(a, b, at: location.mapValue)
        case (.allowed, .forbidden), (.schema, .forbidden):
            if isInput { report(.breaking, at: location, "Extra keys are refused now (`additionalProperties: false`).") }
        case (.forbidden, .allowed), (.forbidden, .schema):
            if isInput { report(.additive, at: location, "Extra keys are accepted now.") }
        default:
            break
        }
    }

    static func lastComponent(_ symbol: String) -> String {
        symbol.split(separator: ".").last.map(String.init) ?? symbol
    }

    // MARK: Unions

    /// Alternatives are paired by category, preferring the same component name, then in order.
    private mutating func compareUnion(_ before: [Schema], _ after: [Schema], at location: Location) {
        var unmatchedNew = Array(after.indices)
        var pairs: [(Int, Int)] = []
        var unmatchedOld: [Int] = []
        for (index, alternative) in before.enumerated() {
            let category = SchemaCategory(old.resolve(alternative).kind)
            let sameName = unmatchedNew.firstIndex { candidate in
                if case .reference(let a) = alternative.kind, case .reference(let b) = after[candidate].kind { return a == b }
                return false
            }
            let sameCategory = unmatchedNew.firstIndex { SchemaCategory(new.resolve(after[$0]).kind) == category }
            if let position = sameName ?? sameCategory {
                pairs.append((index, unmatchedNew.remove(at: position)))
            } else {
                unmatchedOld.append(index)
            }
        }
        for index in unmatchedOld {
            let phrase = SchemaCategory(old.resolve(before[index]).kind).phrase
            report(.breaking, at: location, isInput
                ? "No longer accepts \(phrase); the matching case of `\(location.symbol)` goes away."
                : "No longer returns \(phrase); the matching case of `\(location.symbol)` goes away.")
        }
        for index in unmatchedNew {
            let phrase = SchemaCategory(new.resolve(after[index]).kind).phrase
            report(.additive, at: location, isInput
                ? "Now also accepts \(phrase) (a new case of `\(location.symbol)`)."
                : "May now return \(phrase) (a new case of `\(location.symbol)`).")
        }
        for (a, b) in pairs { compare(before[a], after[b], at: location) }
    }

    // MARK: Enums

    private mutating func compareEnum(_ before: [JSONValue], _ after: [JSONValue], at location: Location) {
        for value in before where !after.contains(value) {
            report(.breaking, at: location, isInput
                ? "Value \(value.jsonText) is no longer accepted; its case\(Self.caseName(value)) goes away."
                : "Value \(value.jsonText) is no longer returned; its case\(Self.caseName(value)) goes away.")
        }
        for value in after where !before.contains(value) {
            report(.additive, at: location, isInput
                ? "Value \(value.jsonText) is now accepted (new case\(Self.caseName(value)))."
                : "Value \(value.jsonText) may now be returned (new case\(Self.caseName(value)); older SDKs decode it as `.unknown`).")
        }
    }

    private static func caseName(_ value: JSONValue) -> String {
        guard let text = value.stringValue else { return "" }
        return " `.\(SwiftNames.lowerCamel(text))`"
    }

    // MARK: Constraints (input only: outputs are not validated)

    private mutating func compareNumeric(_ before: NumericConstraints, _ after: NumericConstraints, at location: Location) {
        bound("minimum", before.minimum, after.minimum, stricter: >, at: location, failing: "below")
        bound("exclusiveMinimum", before.exclusiveMinimum, after.exclusiveMinimum, stricter: >, at: location, failing: "at or below")
        bound("maximum", before.maximum, after.maximum, stricter: <, at: location, failing: "above")
        bound("exclusiveMaximum", before.exclusiveMaximum, after.exclusiveMaximum, stricter: <, at: location, failing: "at or above")
        switch (before.multipleOf, after.multipleOf) {
        case (nil, let now?):
            report(.breaking, at: location, "Must now be a multiple of \(Self.number(now)); other values fail `validate()`.")
        case (let was?, nil):
            report(.additive, at: location, "No longer needs to be a multiple of \(Self.number(was)).")
        case (let was?, let now?) where was != now:
            let relaxed = Self.isMultiple(was, of: now)
            report(relaxed ? .additive : .breaking, at: location, relaxed
                ? "multipleOf relaxed from \(Self.number(was)) to \(Self.number(now))."
                : "multipleOf changed from \(Self.number(was)) to \(Self.number(now)); values valid before may now fail `validate()`.")
        default: break
        }
    }

    private mutating func bound(_ keyword: String, _ before: Double?, _ after: Double?, stricter: (Double, Double) -> Bool,
                                at location: Location, failing side: String) {
        switch (before, after) {
        case (nil, let now?):
            report(.breaking, at: location, "New \(keyword) \(Self.number(now)): values \(side) it now fail `validate()`.")
        case (let was?, nil):
            report(.additive, at: location, "\(keyword) \(Self.number(was)) removed.")
        case (let was?, let now?) where was != now:
            if stricter(now, was) {
                report(.breaking, at: location, "\(keyword) narrowed from \(Self.number(was)) to \(Self.number(now)): values \(side) \(Self.number(now)) now fail `validate()`.")
            } else {
                report(.additive, at: location, "\(keyword) widened from \(Self.number(was)) to \(Self.number(now)).")
            }
        default: break
        }
    }

    private mutating func compareString(_ before: StringConstraints, _ after: StringConstraints, at location: Location) {
        length("minLength", before.minLength, after.minLength, stricter: >, unit: "characters", at: location)
        length("maxLength", before.maxLength, after.maxLength, stricter: <, unit: "characters", at: location)
        switch (before.pattern, after.pattern) {
        case (nil, let now?): report(.breaking, at: location, "Must now match the pattern `\(now)`.")
        case (let was?, nil): report(.additive, at: location, "The pattern `\(was)` is no longer enforced.")
        case (let was?, let now?) where was != now:
            report(.breaking, at: location, "Pattern changed from `\(was)` to `\(now)`; strings valid before may fail `validate()`.")
        default: break
        }
    }

    private mutating func compareArray(_ before: ArraySchema, _ after: ArraySchema, at location: Location) {
        if isInput {
            length("minItems", before.minItems, after.minItems, stricter: >, unit: "elements", at: location)
            length("maxItems", before.maxItems, after.maxItems, stricter: <, unit: "elements", at: location)
            if !before.uniqueItems, after.uniqueItems {
                report(.breaking, at: location, "Elements must now be unique.")
            } else if before.uniqueItems, !after.uniqueItems {
                report(.additive, at: location, "Elements no longer need to be unique.")
            }
        }
        switch (before.items, after.items) {
        case (let a?, let b?): compare(a, b, at: location.element)
        case (nil, _?): report(isInput ? .breaking : .notice, at: location.element, "Elements now have a schema (were untyped).")
        case (_?, nil): report(isInput ? .additive : .breaking, at: location.element, "Elements are untyped now.")
        case (nil, nil): break
        }
        for (index, (a, b)) in zip(before.prefixItems, after.prefixItems).enumerated() {
            compare(a, b, at: Location(path: location.path + "[\(index)]", symbol: location.symbol + "[\(index)]"))
        }
    }

    private mutating func length(_ keyword: String, _ before: Int?, _ after: Int?, stricter: (Int, Int) -> Bool,
                                 unit: String, at location: Location) {
        switch (before, after) {
        case (nil, let now?):
            report(.breaking, at: location, "New \(keyword) of \(now) \(unit): values outside it now fail `validate()`.")
        case (let was?, nil):
            report(.additive, at: location, "\(keyword) of \(was) \(unit) removed.")
        case (let was?, let now?) where was != now:
            report(stricter(now, was) ? .breaking : .additive, at: location, stricter(now, was)
                ? "\(keyword) narrowed from \(was) to \(now) \(unit); values valid before may now fail `validate()`."
                : "\(keyword) widened from \(was) to \(now) \(unit).")
        default: break
        }
    }

    static func number(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }

    /// Whether `value` is an integer multiple of `divisor` (within floating-point noise).
    static func isMultiple(_ value: Double, of divisor: Double) -> Bool {
        guard divisor != 0, value.isFinite, divisor.isFinite else { return false }
        let quotient = value / divisor
        return abs(quotient - quotient.rounded()) < 1e-9
    }
}

/// What a schema is, at the granularity where a change alters the generated Swift type.
enum SchemaCategory: String, Hashable {
    case any, null, boolean, integer, number, string
    case stringEnum, integerEnum, mixedEnum, constant
    case array, object, map, union, allOf

    init(_ kind: Schema.Kind) {
        switch kind {
        case .any, .reference: self = .any
        case .null: self = .null
        case .boolean: self = .boolean
        case .integer: self = .integer
        case .number: self = .number
        case .string: self = .string
        case .stringEnum: self = .stringEnum
        case .integerEnum: self = .integerEnum
        case .mixedEnum: self = .mixedEnum
        case .constant: self = .constant
        case .array: self = .array
        case .object(let object):
            if object.properties.isEmpty, case .schema = object.additionalProperties { self = .map } else { self = .object }
        case .union: self = .union
        case .allOf: self = .allOf
        }
    }

    var phrase: String {
        switch self {
        case .any: return "any JSON value"
        case .null: return "null"
        case .boolean: return "a boolean"
        case .integer: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .stringEnum: return "a string enum"
        case .integerEnum: return "an integer enum"
        case .mixedEnum: return "an enum of mixed values"
        case .constant: return "a constant"
        case .array: return "an array"
        case .object: return "an object"
        case .map: return "a map"
        case .union: return "a union"
        case .allOf: return "an allOf composition"
        }
    }
}

extension JSONValue {
    /// Compact JSON with sorted keys, for messages.
    var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self), let text = String(data: data, encoding: .utf8) else { return "\(self)" }
        return text
    }
}
