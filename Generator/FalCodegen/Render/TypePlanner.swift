import FalCore

/// Decides the Swift shape of one endpoint: which schemas become named types, their names, and the
/// Swift type of every field. Components are declared once; inline objects, enums and unions are named
/// after their property (`scheduler` → `Scheduler`), prefixed with the owner when that name is taken.
struct TypePlanner {
    let endpoint: Endpoint
    let typeName: String
    private(set) var declarations: [TypeDeclaration] = []
    private(set) var diagnostics: [Diagnostic] = []
    private var names: NameRegistry
    private var componentNames: [String: String] = [:]
    private var inputComponents: Set<String> = []
    private var outputComponents: Set<String> = []

    /// Names a nested type must not take: the roots, the endpoint itself, and types the generated code uses.
    static let reservedTypeNames: Set<String> = [
        "Input", "Output", "CodingKeys", "String", "Int", "Double", "Bool", "Array", "Dictionary", "Optional", "Set",
        "Data", "Date", "URL", "Error", "Type", "Self", "Protocol", "Any", "AnyObject", "JSONValue", "FalFile",
        "FieldPath", "ValidationIssue", "Validatable", "Rule", "FalClient", "EndpointClient", "FalEndpoint", "FalInput",
        "FalOutput", "Decoder", "Encoder", "Codable", "Decodable", "Encodable", "Hashable", "Sendable", "Equatable",
        "Never", "Void", "Character", "Float", "Substring", "Result", "Element", "DecodingError", "EncodingError",
        "CodingKey", "RawRepresentable", "CaseIterable", "Swift", "FalCore", "FalRuntime", "FalSDK", "Foundation",
    ]

    init(endpoint: Endpoint, typeName: String) {
        self.endpoint = endpoint
        self.typeName = typeName
        names = NameRegistry(reserved: Self.reservedTypeNames.union([typeName]))
        if let input = endpoint.input { collectReferences(input, into: &inputComponents) }
        if let output = endpoint.output { collectReferences(output, into: &outputComponents) }
    }

    private func collectReferences(_ schema: Schema, into found: inout Set<String>) {
        switch schema.kind {
        case .reference(let name):
            guard found.insert(name).inserted, let target = endpoint.components[name] else { return }
            collectReferences(target, into: &found)
        case .array(let array):
            if let items = array.items { collectReferences(items, into: &found) }
            for item in array.prefixItems { collectReferences(item, into: &found) }
        case .object(let object):
            for property in object.properties { collectReferences(property.schema, into: &found) }
            if case .schema(let value) = object.additionalProperties { collectReferences(value, into: &found) }
        case .union(let union): for alternative in union.alternatives { collectReferences(alternative, into: &found) }
        case .allOf(let parts): for part in parts { collectReferences(part, into: &found) }
        default: return
        }
    }

    struct Context {
        var input: Bool
        var output: Bool
        var owner: String
        var path: String
    }

    mutating func plan() -> [TypeDeclaration] {
        root(endpoint.input, name: "Input", role: .input, context: Context(input: true, output: false, owner: "", path: "Input"))
        root(endpoint.output, name: "Output", role: .output, context: Context(input: false, output: true, owner: "", path: "Output"))
        breakDirectCycles()
        return declarations
    }

    private mutating func root(_ schema: Schema?, name: String, role: TypeDeclaration.Role, context: Context) {
        guard let schema else {
            let slot = Slot(type: role == .input ? .map(Slot(type: .json, schema: Schema(.any), optional: false)) : .json,
                            schema: Schema(.any), optional: false)
            declarations.append(TypeDeclaration(name: name, meta: Schema.Metadata(), body: .wrapper(slot), tolerant: context.output, role: role))
            return
        }
        let resolved = endpoint.resolve(schema)
        if isNamedKind(resolved.kind) {
            var declaredContext = context
            var fresh = true
            if case .reference(let component) = schema.kind {
                fresh = componentNames[component] == nil
                componentNames[component] = componentNames[component] ?? name
                declaredContext.input = inputComponents.contains(component)
                declaredContext.output = outputComponents.contains(component)
            }
            if fresh {
                let index = declarations.count
                declare(name: name, schema: resolved, context: declaredContext)
                declarations[index].role = role
                return
            }
        }
        let slot = self.slot(schema, suggested: name + "Value", context: context)
        // The root is not a named structure (an `any`, a primitive, a map, or a component already named
        // by the other root): wrap it so Input/Output still exist with their conformances.
        var wrapped = slot
        wrapped.optional = false
        declarations.append(TypeDeclaration(name: name, meta: endpoint.resolve(schema).meta, body: .wrapper(wrapped), tolerant: context.output, role: role))
    }

    private func isNamedKind(_ kind: Schema.Kind) -> Bool {
        switch kind {
        case .stringEnum, .union: return true
        case .object(let object): return !object.properties.isEmpty
        case .allOf(let parts): return parts.allSatisfy { if case .object = endpoint.resolve($0).kind { return true } else { return false } }
        default: return false
        }
    }

    /// The Swift type for a value of `schema` at `context.path`, declaring named types as needed.
    private mutating func slot(_ schema: Schema, suggested: String, context: Context) -> Slot {
        let resolved = endpoint.resolve(schema)
        let optional = resolved.meta.nullable
        if case .reference(let component) = schema.kind, isNamedKind(resolved.kind) {
            let name = componentName(component, resolved: resolved)
            return Slot(type: .named(name, validates: validates(resolved, named: true, tolerant: isTolerant(component))), schema: resolved, optional: optional)
        }
        switch resolved.kind {
        case .any, .null, .reference, .mixedEnum:
            return Slot(type: .json, schema: resolved, optional: optional)
        case .constant(let value):
            return Slot(type: value.stringValue != nil ? .string : .json, schema: resolved, optional: optional)
        case .boolean: return Slot(type: .bool, schema: resolved, optional: optional)
        case .integer, .integerEnum: return Slot(type: .int, schema: resolved, optional: optional)
        case .number: return Slot(type: .double, schema: resolved, optional: optional)
        case .string:
            return Slot(type: context.input && resolved.meta.isFileInput ? .file : .string, schema: resolved, optional: optional)
        case .array(let array):
            var element: Slot
            if array.prefixItems.isEmpty {
                element = array.items.map { slot($0, suggested: suggested + "Item", context: context.descending("[]")) }
                    ?? Slot(type: .json, schema: Schema(.any), optional: false)
            } else {
                element = Slot(type: .json, schema: Schema(.any), optional: false)
            }
            if context.input, resolved.meta.isFileInput, case .string = element.type { element.type = .file }
            return Slot(type: .array(element), schema: resolved, optional: optional)
        case .object(let object) where object.properties.isEmpty:
            var value = Slot(type: .json, schema: Schema(.any), optional: false)
            if case .schema(let valueSchema) = object.additionalProperties {
                value = slot(valueSchema, suggested: suggested + "Value", context: context.descending("{}"))
            }
            return Slot(type: .map(value), schema: resolved, optional: optional)
        case .allOf where !isNamedKind(resolved.kind):
            diagnostics.append(Diagnostic(file: endpoint.source, path: context.path, message: "allOf of non-object schemas is typed as JSONValue and not validated locally"))
            return Slot(type: .json, schema: Schema(.any, meta: resolved.meta), optional: optional)
        case .object, .stringEnum, .union, .allOf:
            let name = claimInlineName(suggested, owner: context.owner)
            declare(name: name, schema: resolved, context: context)
            return Slot(type: .named(name, validates: validates(resolved, named: true, tolerant: context.output)), schema: resolved, optional: optional)
        }
    }

    private func isTolerant(_ component: String) -> Bool { outputComponents.contains(component) }

    /// Whether a named type's `validate()` can report anything (strict enums cannot).
    private func validates(_ schema: Schema, named: Bool, tolerant: Bool) -> Bool {
        if case .stringEnum = schema.kind { return tolerant }
        return true
    }

    private mutating func claimInlineName(_ suggested: String, owner: String) -> String {
        let base = SwiftNames.upperCamel(suggested)
        if !names.isUsed(base) && !reservedByComponent(base) { return names.claim(base) }
        return names.claim(SwiftNames.upperCamel(owner) + base)
    }

    /// A component not declared yet still owns its name, so an inline type seen first does not take it.
    private func reservedByComponent(_ name: String) -> Bool {
        endpoint.componentOrder.contains { SwiftNames.upperCamel($0) == name && componentNames[$0] == nil }
    }

    private mutating func componentName(_ component: String, resolved: Schema) -> String {
        if let name = componentNames[component], declarations.contains(where: { $0.name == name }) { return name }
        let name = componentNames[component] ?? names.claim(SwiftNames.upperCamel(component))
        componentNames[component] = name
        let context = Context(input: inputComponents.contains(component), output: outputComponents.contains(component),
                              owner: name, path: "#/components/schemas/\(component)")
        declare(name: name, schema: resolved, context: context)
        return name
    }

    private mutating func declare(name: String, schema: Schema, context: Context) {
        let index = declarations.count
        // Reserve the slot first so recursive references find the name already declared.
        declarations.append(TypeDeclaration(name: name, meta: schema.meta, body: .structure([]), tolerant: context.output))
        var inner = context
        inner.owner = name
        let body: TypeDeclaration.Body
        switch schema.kind {
        case .object(let object): body = .structure(properties(object, context: inner))
        case .allOf(let parts): body = .structure(properties(merged(parts), context: inner))
        case .stringEnum(let values): body = .stringEnum(enumCases(values))
        case .union(let union): body = .union(unionCases(union, context: inner))
        default: body = .wrapper(slot(schema, suggested: name + "Value", context: inner))
        }
        declarations[index].body = body
    }

    private func merged(_ parts: [Schema]) -> ObjectSchema {
        var result = ObjectSchema(properties: [], required: [], additionalProperties: .allowed)
        for part in parts {
            guard case .object(let object) = endpoint.resolve(part).kind else { continue }
            for property in object.properties {
                if let existing = result.properties.firstIndex(where: { $0.name == property.name }) {
                    result.properties[existing] = property
                } else {
                    result.properties.append(property)
                }
            }
            result.required += object.required.filter { !result.required.contains($0) }
        }
        return result
    }

    private mutating func properties(_ object: ObjectSchema, context: Context) -> [TypeDeclaration.Property] {
        var registry = NameRegistry(reserved: ["validate", "validationIssues", "encode", "hash", "hashValue", "init"])
        return object.properties.map { property in
            let swiftName = registry.claim(SwiftNames.escaped(SwiftNames.lowerCamel(property.name)))
            var slot = self.slot(property.schema, suggested: property.name, context: context.descending(property.name))
            let required = object.isRequired(property.name)
            if !required { slot.optional = true }
            return TypeDeclaration.Property(swiftName: swiftName, key: property.name, slot: slot, required: required,
                                            meta: endpoint.resolve(property.schema).meta)
        }
    }

    private func enumCases(_ values: [String]) -> [TypeDeclaration.EnumCase] {
        var registry = NameRegistry(reserved: ["unknown", "rawValue", "allCases", "init"])
        return values.map { TypeDeclaration.EnumCase(swiftName: registry.claim(SwiftNames.escaped(SwiftNames.lowerCamel($0))), raw: $0) }
    }

    private mutating func unionCases(_ union: UnionSchema, context: Context) -> [TypeDeclaration.UnionCase] {
        var registry = NameRegistry(reserved: ["other", "init", "rawValue"])
        let objects = union.alternatives.filter { if case .object = endpoint.resolve($0).kind { return true } else { return false } }
        let presetsOnly = union.alternatives.allSatisfy { alternative in
            switch (alternative.kind, endpoint.resolve(alternative).kind) {
            case (.reference, .object), (.object, _), (.stringEnum, _): return true
            default: return false
            }
        }
        var cases: [TypeDeclaration.UnionCase] = []
        for (position, alternative) in union.alternatives.enumerated() {
            if case .stringEnum(let values) = alternative.kind {
                for value in values {
                    cases.append(.init(swiftName: registry.claim(SwiftNames.escaped(SwiftNames.lowerCamel(value))), payload: nil, raw: value))
                }
                continue
            }
            let slot = self.slot(alternative, suggested: "Option\(position + 1)", context: context.descending("anyOf[\(position)]"))
            let base: String
            if objects.count == 1, presetsOnly, case .object = endpoint.resolve(alternative).kind {
                base = "custom"
            } else {
                base = caseName(for: slot.type)
            }
            cases.append(.init(swiftName: registry.claim(SwiftNames.escaped(base)), payload: slot, raw: nil))
        }
        return cases
    }

    private func caseName(for type: SwiftType) -> String {
        switch type {
        case .named(let name, _), .indirect(let name, _): return SwiftNames.lowerCamel(name)
        case .string, .file: return "string"
        case .int: return "integer"
        case .double: return "number"
        case .bool: return "boolean"
        case .json: return "json"
        case .array(let element): return caseName(for: element.type) + "Array"
        case .map: return "dictionary"
        }
    }

    /// A struct or enum that contains itself without an array or dictionary in between has infinite
    /// size in Swift. Each such back edge (found depth-first, in declaration order) is boxed in `Indirect`.
    private mutating func breakDirectCycles() {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        let indexByName = Dictionary(declarations.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        func visit(_ index: Int) {
            state[declarations[index].name] = 1
            switch declarations[index].body {
            case .structure(var properties):
                for position in properties.indices {
                    guard case .named(let target, let validates) = properties[position].slot.type, let next = indexByName[target] else { continue }
                    if state[target] == 1 {
                        properties[position].slot.type = .indirect(target, validates: validates)
                    } else if state[target] == nil {
                        visit(next)
                    }
                }
                declarations[index].body = .structure(properties)
            case .union(var cases):
                for position in cases.indices {
                    guard case .named(let target, let validates)? = cases[position].payload?.type, let next = indexByName[target] else { continue }
                    if state[target] == 1 {
                        cases[position].payload?.type = .indirect(target, validates: validates)
                    } else if state[target] == nil {
                        visit(next)
                    }
                }
                declarations[index].body = .union(cases)
            case .wrapper(var slot):
                if case .named(let target, let validates) = slot.type, let next = indexByName[target] {
                    if state[target] == 1 { slot.type = .indirect(target, validates: validates); declarations[index].body = .wrapper(slot) }
                    else if state[target] == nil { visit(next) }
                }
            case .stringEnum: break
            }
            state[declarations[index].name] = 2
        }
        for index in declarations.indices where state[declarations[index].name] == nil { visit(index) }
    }
}

extension TypePlanner.Context {
    func descending(_ step: String) -> Self {
        var copy = self
        copy.path += "." + step
        return copy
    }
}
