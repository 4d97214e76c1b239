import FalCore

/// Decides the Swift shape of one endpoint: which schemas become named types, their names, the Swift type
/// of every field, initializer order, defaults, decoding strategy and which types validate anything.
/// Components are declared once; inline objects, enums and unions are named after their property
/// (`scheduler` → `Scheduler`), prefixed with the owner when that name is taken. Output components shaped
/// like fal's file descriptions become FalRuntime's shared types (`FalImage`, see `SharedFileMatcher`).
struct TypePlanner {
    let endpoint: Endpoint
    let typeName: String
    var declarations: [TypeDeclaration] = []
    private(set) var diagnostics: [Diagnostic] = []
    private var names: NameRegistry
    private var componentNames: [String: String] = [:]
    private var inputComponents: Set<String> = []
    private var outputComponents: Set<String> = []
    /// Inline string enums already declared, by values and tolerance, so an identical one reuses the type.
    private var inlineEnums: [InlineEnumKey: String] = [:]

    private struct InlineEnumKey: Hashable {
        var values: [String]
        var tolerant: Bool
    }

    /// Names a nested type must not take: the roots, the endpoint itself, the nested `Defaults`, and every
    /// type the generated code names (Swift's, FalCore's and FalRuntime's).
    static let reservedTypeNames: Set<String> = Set([
        "Input", "Output", "CodingKeys", "Defaults", "String", "Int", "Double", "Bool", "Array", "Dictionary", "Optional",
        "Set", "Data", "Date", "URL", "Error", "Type", "Self", "Protocol", "Any", "AnyObject", "JSONValue", "FalFile",
        "FieldPath", "ValidationIssue", "Validatable", "Rule", "FalClient", "EndpointClient", "FalEndpoint", "FalInput",
        "FalOutput", "Decoder", "Encoder", "Codable", "Decodable", "Encodable", "Hashable", "Sendable", "Equatable",
        "Never", "Void", "Character", "Float", "Substring", "Result", "Element", "DecodingError", "EncodingError",
        "CodingKey", "RawRepresentable", "CaseIterable", "Swift", "FalCore", "FalRuntime", "FalSDK", "Foundation",
        "Indirect", "FalHostedFile", "AlternativeFailures",
    ]).union(SharedFileType.allCases.map(\.rawValue))

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
        /// JSON pointer of the schema being planned (`#/components/schemas/Lora/properties/scheduler`).
        var pointer: String
        /// The Swift field this position belongs to (`TimestepsInput.method`), for shared inline types.
        var field: String
        /// Inside a union that takes a file URL (`ip_adapter_image_url`): its strings are files too.
        var fileInput = false
    }

    /// Plans the endpoint: its declarations and the names of those whose `validate()` reports anything.
    mutating func plan() -> (declarations: [TypeDeclaration], validating: Set<String>) {
        root(endpoint.input, name: "Input", role: .input,
             context: Context(input: true, output: false, owner: "", pointer: "the submit request body", field: "Input"))
        root(endpoint.output, name: "Output", role: .output,
             context: Context(input: false, output: true, owner: "", pointer: "the result response body", field: "Output"))
        breakDirectCycles()
        markEmptyablePayloads()
        return (declarations, validatingTypes())
    }

    /// Union payload structures that `init()` would make empty get an initializer without defaults.
    private mutating func markEmptyablePayloads() {
        var payloads: Set<String> = []
        for declaration in declarations {
            guard case .union(let union) = declaration.body else { continue }
            for item in union.cases { if let target = item.payload?.type.namedTarget { payloads.insert(target) } }
        }
        for index in declarations.indices where payloads.contains(declarations[index].name) {
            guard case .structure(var structure) = declarations[index].body,
                  !structure.properties.isEmpty, structure.properties.allSatisfy(\.slot.optional) else { continue }
            structure.namesEveryArgument = true
            declarations[index].body = .structure(structure)
        }
    }

    private mutating func root(_ schema: Schema?, name: String, role: TypeDeclaration.Role, context: Context) {
        guard let schema else {
            let slot = Slot(type: role == .input ? .map(Slot(type: .json, schema: Schema(.any), optional: false)) : .json,
                            schema: Schema(.any), optional: false)
            declarations.append(TypeDeclaration(name: name, meta: Schema.Metadata(), origin: context.pointer, body: .wrapper(slot),
                                                tolerant: context.output, role: role))
            return
        }
        let resolved = endpoint.resolve(schema)
        if isNamedKind(resolved.kind) {
            var declaredContext = context
            var fresh = true
            var meta = resolved.meta
            if case .reference(let component) = schema.kind {
                fresh = componentNames[component] == nil
                componentNames[component] = componentNames[component] ?? name
                declaredContext.input = inputComponents.contains(component)
                declaredContext.output = outputComponents.contains(component)
                declaredContext.pointer = Self.componentPointer(component)
                meta = endpoint.components[component]?.meta ?? meta
            }
            if fresh {
                let index = declarations.count
                declare(name: name, schema: resolved, meta: meta, context: declaredContext)
                declarations[index].role = role
                return
            }
        }
        let slot = self.slot(schema, suggested: name + "Value", context: context)
        // The root is not a named structure (an `any`, a primitive, a map, or a component already named
        // by the other root): wrap it so Input/Output still exist with their conformances.
        var wrapped = slot
        wrapped.optional = false
        declarations.append(TypeDeclaration(name: name, meta: resolved.meta, origin: context.pointer, body: .wrapper(wrapped),
                                            tolerant: context.output, role: role))
    }

    func isNamedKind(_ kind: Schema.Kind) -> Bool {
        switch kind {
        case .stringEnum, .union: return true
        case .object(let object): return !object.properties.isEmpty
        case .allOf(let parts): return parts.allSatisfy { if case .object = endpoint.resolve($0).kind { return true } else { return false } }
        default: return false
        }
    }

    static func componentPointer(_ name: String) -> String { "#/components/schemas/" + pointerToken(name) }

    static func pointerToken(_ name: String) -> String {
        name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// The Swift type for a value of `schema` at `context.pointer`, declaring named types as needed.
    mutating func slot(_ schema: Schema, suggested: String, context: Context) -> Slot {
        let resolved = endpoint.resolve(schema)
        let optional = resolved.meta.nullable
        if case .reference(let component) = schema.kind, isNamedKind(resolved.kind) {
            if !inputComponents.contains(component), let shared = SharedFileMatcher.match(component, resolved, in: endpoint) {
                return Slot(type: .shared(shared), schema: resolved, optional: optional)
            }
            return Slot(type: .named(componentName(component, resolved: resolved)), schema: resolved, optional: optional)
        }
        let takesFile = context.input && (resolved.meta.isFileInput || context.fileInput)
        switch resolved.kind {
        case .any, .null, .reference, .mixedEnum:
            return Slot(type: .json, schema: resolved, optional: optional)
        case .constant(let value):
            return Slot(type: value.stringValue != nil ? .string : .json, schema: resolved, optional: optional)
        case .boolean: return Slot(type: .bool, schema: resolved, optional: optional)
        case .integer, .integerEnum: return Slot(type: .int, schema: resolved, optional: optional)
        case .number: return Slot(type: .double, schema: resolved, optional: optional)
        case .string:
            return Slot(type: takesFile ? .file : .string, schema: resolved, optional: optional)
        case .array(let array):
            var element: Slot
            if array.prefixItems.isEmpty {
                var inner = context.descending("items")
                inner.fileInput = takesFile
                element = array.items.map { slot($0, suggested: suggested + "Item", context: inner) }
                    ?? Slot(type: .json, schema: Schema(.any), optional: false)
            } else {
                element = Slot(type: .json, schema: Schema(.any), optional: false)
            }
            return Slot(type: .array(element), schema: resolved, optional: optional)
        case .object(let object) where object.properties.isEmpty:
            var value = Slot(type: .json, schema: Schema(.any), optional: false)
            if case .schema(let valueSchema) = object.additionalProperties {
                value = slot(valueSchema, suggested: suggested + "Value", context: context.descending("additionalProperties"))
            }
            return Slot(type: .map(value), schema: resolved, optional: optional)
        case .allOf where !isNamedKind(resolved.kind):
            diagnostics.append(Diagnostic(file: endpoint.source, path: context.pointer,
                                          message: "allOf of non-object schemas is typed as JSONValue and not validated locally"))
            return Slot(type: .json, schema: Schema(.any, meta: resolved.meta), optional: optional)
        case .stringEnum(let values):
            let key = InlineEnumKey(values: values, tolerant: context.output)
            if let existing = inlineEnums[key], let index = declarations.firstIndex(where: { $0.name == existing }) {
                declarations[index].alsoUsedAt.append(context.field)
                return Slot(type: .named(existing), schema: resolved, optional: optional)
            }
            let name = claimInlineName(suggested, owner: context.owner)
            inlineEnums[key] = name
            declare(name: name, schema: resolved, meta: resolved.meta, context: context)
            return Slot(type: .named(name), schema: resolved, optional: optional)
        case .object, .union, .allOf:
            let name = claimInlineName(suggested, owner: context.owner)
            var inner = context
            inner.fileInput = takesFile
            declare(name: name, schema: resolved, meta: resolved.meta, context: inner)
            return Slot(type: .named(name), schema: resolved, optional: optional)
        }
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

    mutating func componentName(_ component: String, resolved: Schema) -> String {
        if let name = componentNames[component], declarations.contains(where: { $0.name == name }) { return name }
        let name = componentNames[component] ?? names.claim(SwiftNames.upperCamel(component))
        componentNames[component] = name
        let context = Context(input: inputComponents.contains(component), output: outputComponents.contains(component),
                              owner: name, pointer: Self.componentPointer(component), field: name)
        // The type's doc is the component's own description, not that of the property that reached it first.
        declare(name: name, schema: resolved, meta: endpoint.components[component]?.meta ?? resolved.meta, context: context)
        return name
    }

    private mutating func declare(name: String, schema: Schema, meta: Schema.Metadata, context: Context) {
        let index = declarations.count
        // Reserve the slot first so recursive references find the name already declared.
        declarations.append(TypeDeclaration(name: name, meta: meta, origin: context.pointer,
                                            body: .stringEnum([]), tolerant: context.output))
        var inner = context
        inner.owner = name
        let body: TypeDeclaration.Body
        switch schema.kind {
        case .object(let object): body = .structure(structure(object, context: inner, tolerant: context.output))
        case .allOf(let parts): body = .structure(structure(merged(parts), context: inner, tolerant: context.output))
        case .stringEnum(let values): body = .stringEnum(enumCases(values))
        case .union(let union): body = .union(unionPlan(union, context: inner))
        default: body = .wrapper(slot(schema, suggested: name + "Value", context: inner))
        }
        declarations[index].body = body
    }

    private func merged(_ parts: [Schema]) -> ObjectSchema {
        var result = ObjectSchema(properties: [], required: [], additionalProperties: .allowed)
        for part in parts {
            guard case .object(let object) = endpoint.resolve(part).kind else { continue }
            result.hasFalOrder = result.hasFalOrder || object.hasFalOrder
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

    private mutating func structure(_ object: ObjectSchema, context: Context, tolerant: Bool) -> TypeDeclaration.Structure {
        var registry = NameRegistry(reserved: ["validate", "validationIssues", "encode", "hash", "hashValue", "init"])
        let ordered = MemberOrder.widthBeforeHeight(object.properties.map(\.name)).compactMap { name in
            object.properties.first(where: { $0.name == name })
        }
        var properties: [TypeDeclaration.Property] = []
        for property in ordered {
            let swiftName = registry.claim(SwiftNames.escaped(SwiftNames.lowerCamel(property.name)))
            var inner = context.descending("properties", property.name)
            inner.field = "\(context.owner).\(SwiftNames.bare(swiftName))"
            inner.fileInput = false
            var slot = self.slot(property.schema, suggested: property.name, context: inner)
            let required = object.isRequired(property.name)
            if !required { slot.optional = true }
            let meta = endpoint.resolve(property.schema).meta
            let decodeCall: TypeDeclaration.DecodeCall
            switch (required, slot.optional) {
            case (true, false): decodeCall = .value
            case (true, true): decodeCall = .nullableValue
            case (false, _): decodeCall = slot.schema.meta.nullable ? .ifPresent : .ifKeyPresent
            }
            properties.append(TypeDeclaration.Property(
                swiftName: swiftName, key: property.name, slot: slot, required: required, meta: meta, decodeCall: decodeCall))
        }
        let order = MemberOrder.initializer(keys: properties.map(\.key), required: object.required, hasFalOrder: object.hasFalOrder)
        return TypeDeclaration.Structure(
            properties: properties, initializerOrder: order,
            strictDecoder: !tolerant && properties.contains { [.nullableValue, .ifKeyPresent].contains($0.decodeCall) },
            explicitEncoder: properties.contains { $0.required && $0.slot.optional })
    }

    private func enumCases(_ values: [String]) -> [TypeDeclaration.EnumCase] {
        var registry = NameRegistry(reserved: ["unknown", "rawValue", "allCases", "init"])
        return values.map { TypeDeclaration.EnumCase(swiftName: registry.claim(SwiftNames.escaped(SwiftNames.lowerCamel($0))), raw: $0) }
    }

    /// The named types whose `validate()` reports anything: a fixpoint, since types refer to each other (and themselves).
    private func validatingTypes() -> Set<String> {
        var validating: Set<String> = []
        var changed = true
        while changed {
            changed = false
            for declaration in declarations where !validating.contains(declaration.name) {
                if Self.checksSomething(declaration, validating: validating) {
                    validating.insert(declaration.name)
                    changed = true
                }
            }
        }
        return validating
    }

    private static func checksSomething(_ declaration: TypeDeclaration, validating: Set<String>) -> Bool {
        func checks(_ slot: Slot) -> Bool { !ValidationEmitter.checks("value", slot, path: "path", validating: validating).isEmpty }
        switch declaration.body {
        case .stringEnum: return declaration.tolerant
        case .structure(let structure): return structure.properties.contains { checks($0.slot) }
        case .union(let union): return union.cases.contains { $0.payload.map(checks) ?? false }
        case .wrapper(let slot): return checks(slot)
        }
    }
}

extension TypePlanner.Context {
    /// The context one JSON pointer step (or several) further down.
    func descending(_ steps: String...) -> Self {
        var copy = self
        for step in steps { copy.pointer += "/" + TypePlanner.pointerToken(step) }
        return copy
    }
}
