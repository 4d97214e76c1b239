import FalCore

/// One public declaration of a generated module, named as `swift-api-digester` names it, with what must stay
/// equal for code written against it to keep compiling.
struct APIDeclaration: Hashable {
    /// `FluxLora.Input.init(prompt:seed:)`, `FluxLora.Scheduler.euler`, `FalClient.fluxLora`.
    var name: String
    /// What pairs an old declaration with its new version: the name, except that an initializer is keyed
    /// without its labels (`FluxLora.Input.init`), so reordered labels are one changed initializer.
    var key: String
    var kind: APIChange.Declaration
    var endpointID: String
    var side: APIChange.Side
    /// The enclosing declaration's key, so the members of a type that was removed or added are not listed again.
    var parent: String?
    /// What must stay equal: a property's, constant's or case payload's Swift type; a type's conformances.
    var signature: String = ""
    /// An initializer's parameters, in order.
    var parameters: [Parameter] = []
    /// An enum reachable from an output, which users `switch` over: a case added breaks an exhaustive `switch`.
    var switchedOver = false
    /// Where the field is in the body (`image_size.width`, `loras[].scale`), for properties and types reached by one.
    var path = ""

    struct Parameter: Hashable {
        var label: String
        var type: String
        /// `= nil`: calls may leave it out.
        var defaulted: Bool
    }
}

/// The public API `generate` emits for a set of endpoints, read from the planned `EndpointModel`s (not from
/// schemas), so the change report compares exactly what users compile against.
enum APISurface {
    static func declarations(of endpoints: [Endpoint]) -> [APIDeclaration] {
        Generator.plan(endpoints: endpoints).flatMap(declarations(of:))
    }

    static func declarations(of model: EndpointModel) -> [APIDeclaration] {
        let owner = model.typeName
        let id = model.endpoint.id
        var result = [
            APIDeclaration(name: owner, key: owner, kind: .endpoint, endpointID: id, side: .endpoint, signature: "FalEndpoint"),
            APIDeclaration(name: "FalClient.\(model.accessorName)", key: "FalClient.\(model.accessorName)", kind: .accessor,
                           endpointID: id, side: .endpoint, signature: "EndpointClient<\(owner)>"),
        ]
        let paths = BodyPaths(model)
        for declaration in model.declarations {
            let side: APIChange.Side = paths.input[declaration.name] != nil ? .input : .output
            let typeName = "\(owner).\(declaration.name)"
            var type = APIDeclaration(name: typeName, key: typeName, kind: .structure, endpointID: id, side: side, parent: owner,
                                      path: paths.input[declaration.name] ?? paths.output[declaration.name] ?? "")
            func member(_ name: String, _ kind: APIChange.Declaration, signature: String = "", path: String = "") -> APIDeclaration {
                APIDeclaration(name: "\(typeName).\(name)", key: "\(typeName).\(name)", kind: kind, endpointID: id, side: side,
                               parent: typeName, signature: signature, path: path)
            }
            var members: [APIDeclaration] = []
            switch declaration.body {
            case .structure(let structure):
                type.signature = EndpointPrinter.conformances(declaration, [])
                for property in structure.properties {
                    members.append(member(SwiftNames.bare(property.swiftName), .property, signature: property.slot.code,
                                          path: BodyPaths.joined(type.path, property.key)))
                }
                let parameters = structure.initializerOrder.map { structure.properties[$0] }.map {
                    APIDeclaration.Parameter(label: SwiftNames.bare($0.swiftName), type: $0.slot.code,
                                             defaulted: $0.slot.optional && !structure.namesEveryArgument)
                }
                members.append(initializer(parameters, in: typeName, endpointID: id, side: side))
                let constants = structure.properties.filter { property in
                    property.meta.defaultValue.flatMap {
                        DefaultValues.expression($0, for: property.slot.type, declarations: model.declarations)
                    } != nil
                }
                if !constants.isEmpty {
                    members.append(member("Defaults", .enumeration))
                    for property in constants {
                        let name = "\(typeName).Defaults.\(SwiftNames.bare(property.swiftName))"
                        members.append(APIDeclaration(name: name, key: name, kind: .constant, endpointID: id, side: side,
                                                      parent: "\(typeName).Defaults", signature: property.slot.type.code))
                    }
                }
            case .stringEnum(let cases):
                type.kind = .enumeration
                type.switchedOver = declaration.tolerant
                type.signature = declaration.tolerant
                    ? "RawRepresentable, " + EndpointPrinter.conformances(declaration, [])
                    : "String, " + EndpointPrinter.conformances(declaration, ["CaseIterable"])
                members += cases.map { member(SwiftNames.bare($0.swiftName), .enumCase) }
                if declaration.tolerant { members.append(member("unknown", .enumCase, signature: "String")) }
            case .union(let union):
                type.kind = .enumeration
                type.switchedOver = declaration.tolerant
                type.signature = EndpointPrinter.conformances(declaration, [])
                members += union.cases.map { member(SwiftNames.bare($0.swiftName), .enumCase, signature: $0.payload?.type.code ?? "") }
                if declaration.tolerant { members.append(member("other", .enumCase, signature: "JSONValue")) }
            case .wrapper(let slot):
                type.signature = EndpointPrinter.conformances(declaration, [])
                members.append(member("value", .property, signature: slot.code, path: type.path))
                let defaulted: Bool
                switch slot.type {
                case .map, .json: defaulted = declaration.role == .input
                default: defaulted = false
                }
                members.append(initializer([.init(label: "_", type: slot.code, defaulted: defaulted)], in: typeName, endpointID: id, side: side))
            }
            // `validate(at:into:)` is printed only where it checks something; elsewhere `Validatable`'s default stands in.
            if model.validating.contains(declaration.name) {
                members.append(member("validate(at:into:)", .function))
            }
            for index in members.indices where members[index].kind == .enumCase { members[index].switchedOver = type.switchedOver }
            result.append(type)
            result += members
        }
        return result
    }

    private static func initializer(_ parameters: [APIDeclaration.Parameter], in typeName: String, endpointID: String,
                                    side: APIChange.Side) -> APIDeclaration {
        APIDeclaration(name: "\(typeName).init(\(parameters.map { $0.label + ":" }.joined()))", key: "\(typeName).init",
                       kind: .initializer, endpointID: endpointID, side: side, parent: typeName,
                       signature: parameters.map { "\($0.label): \($0.type)\($0.defaulted ? " = nil" : "")" }.joined(separator: ", "),
                       parameters: parameters)
    }
}

/// The first JSON path (in declaration order) by which the body reaches each named type of an endpoint, from the
/// input and from the output: `ImageSize` ← `image_size`, `LoraWeight` ← `loras[]`. The report shows it beside the
/// Swift name, and a wire change's path is resolved back to a declaration through the same walk (`declaration(at:)`).
struct BodyPaths {
    private(set) var input: [String: String] = [:]
    private(set) var output: [String: String] = [:]
    private let byName: [String: TypeDeclaration]

    init(_ model: EndpointModel) {
        byName = Dictionary(model.declarations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        input = walk(from: model.declarations.first { $0.role == .input }?.name)
        output = walk(from: model.declarations.first { $0.role == .output }?.name)
    }

    static func joined(_ prefix: String, _ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    private func walk(from root: String?) -> [String: String] {
        guard let root else { return [:] }
        var found = [root: ""]
        var queue = [root]
        while !queue.isEmpty {
            let name = queue.removeFirst()
            for (target, path) in children(of: name, at: found[name]!) where found[target] == nil {
                found[target] = path
                queue.append(target)
            }
        }
        return found
    }

    /// The named types one declaration refers to, each with the path that reaches it.
    private func children(of name: String, at path: String) -> [(String, String)] {
        guard let declaration = byName[name] else { return [] }
        switch declaration.body {
        case .structure(let structure):
            return structure.properties.compactMap { property in
                Self.target(property.slot, path: Self.joined(path, property.key))
            }
        case .union(let union): return union.cases.compactMap { $0.payload.flatMap { Self.target($0, path: path) } }
        case .wrapper(let slot): return Self.target(slot, path: path).map { [$0] } ?? []
        case .stringEnum: return []
        }
    }

    private static func target(_ slot: Slot, path: String) -> (String, String)? {
        switch slot.type {
        case .named(let name), .indirect(let name): return (name, path)
        case .array(let element): return target(element, path: path + "[]")
        case .map(let value): return target(value, path: path + "{}")
        default: return nil
        }
    }

    /// The Swift declaration a wire path names, relative to the endpoint type (`Input.prompt`, `ImageSize.width`):
    /// the property the path ends at, or the type the body itself is. nil when the path leaves the planned types
    /// (inside a `JSONValue`).
    func declaration(at path: String, from root: String) -> String? {
        var current = root
        var member: String?
        for step in path.split(separator: ".", omittingEmptySubsequences: true) {
            let key = String(step.prefix { $0 != "[" && $0 != "{" })
            guard let (owner, swiftName, slot) = property(key, of: current) else { return member }
            member = "\(owner).\(swiftName)"
            if let (next, _) = Self.target(slot, path: "") { current = next } else { current = "" }
        }
        return member ?? root
    }

    /// A property of a structure, or of the structure a union's case carries (`image_size.width` through `.custom`).
    private func property(_ key: String, of name: String) -> (owner: String, swiftName: String, slot: Slot)? {
        guard let declaration = byName[name] else { return nil }
        switch declaration.body {
        case .structure(let structure):
            return structure.properties.first { $0.key == key }.map { (name, SwiftNames.bare($0.swiftName), $0.slot) }
        case .union(let union):
            for payload in union.cases.compactMap(\.payload) {
                if let (target, _) = Self.target(payload, path: ""), let found = property(key, of: target) { return found }
            }
            return nil
        case .wrapper(let slot):
            guard let (target, _) = Self.target(slot, path: "") else { return nil }
            return property(key, of: target)
        case .stringEnum: return nil
        }
    }
}
