/// Reads one tag's operations from fal's Platform API document (OpenAPI 3.1, schemas inline) into the model.
///
/// Naming follows the document with Swift's conventions: `endpoint_id` → `endpointID`, an array parameter is
/// plural (`endpointIDs`), `getModels` → `models`, the item type of `models` is `Model`. The few renames the
/// document cannot say are in `PlatformNaming`. Constructs the model does not type (an `anyOf` of objects, a
/// schema without `type`) become `JSONValue`, so a new construct in fal's document still generates.
struct PlatformReader {
    let document: OrderedJSON
    let file: String

    static let methods = ["get", "post", "put", "patch", "delete"]

    func operations(tag: String) throws(CodegenError) -> [PlatformOperation] {
        guard let paths = document["paths"]?.members else { throw error("$.paths", "expected an object of paths") }
        var result: [PlatformOperation] = []
        for (path, item) in paths {
            for method in Self.methods {
                guard let operation = item[method] else { continue }
                let tags = operation["tags"]?.items?.compactMap(\.string) ?? []
                guard tags.contains(tag) else { continue }
                result.append(try read(operation, method: method, path: path))
            }
        }
        guard !result.isEmpty else { throw error("$.paths", "no operation is tagged \(tag.debugDescription)") }
        return result
    }

    private func read(_ operation: OrderedJSON, method: String, path: String) throws(CodegenError) -> PlatformOperation {
        let location = "$.paths[\(path.debugDescription)].\(method)"
        guard let operationID = operation["operationId"]?.string else { throw error(location, "operationId is missing") }
        let swiftName = PlatformNaming.method(operationID)
        let namespace = SwiftNames.upperCamel(swiftName)

        var parameterTypes: [PlatformDeclaration] = []
        var typeNames = NameRegistry(reserved: PlatformNaming.reservedTypeNames.union(["Response", "Request"]))
        var parameters: [PlatformParameter] = []
        var names = NameRegistry(reserved: ["cursor", "body", "query", "headers"])
        for (index, parameter) in (operation["parameters"]?.items ?? []).enumerated() {
            let at = "\(location).parameters[\(index)]"
            guard let name = parameter["name"]?.string, let place = parameter["in"]?.string.flatMap(PlatformParameter.Location.init(rawValue:)),
                  let schema = parameter["schema"]
            else { throw error(at, "expected name, in (query, path or header) and schema") }
            var builder = TypeBuilder(registry: typeNames)
            var type = builder.type(schema, name: name)
            var isStringBool = false
            if PlatformNaming.isStringBool(schema) { (type, isStringBool) = (.bool, true) } else {
                parameterTypes += builder.declarations
                typeNames = builder.registry
            }
            let isArray = if case .array = type { true } else { false }
            let swiftName = name == "cursor" ? "cursor" : names.claim(SwiftNames.escaped(PlatformNaming.parameter(name, plural: isArray)))
            parameters.append(PlatformParameter(
                name: name, swiftName: swiftName, location: place, type: type,
                isRequired: parameter["required"]?.bool ?? (place == .path), documentation: parameter["description"]?.string ?? schema["description"]?.string,
                minimum: schema["minimum"].flatMap(Self.number), maximum: schema["maximum"].flatMap(Self.number), isStringBool: isStringBool))
        }

        var body: PlatformDeclaration?
        var skipReason: String?
        if let content = operation["requestBody"]?["content"], content["application/json"] == nil {
            skipReason = "\(content.members?.first?.key ?? "non-JSON") body"
        }
        if let schema = operation["requestBody"]?["content"]?["application/json"]?["schema"] {
            body = TypeBuilder.named(schema, name: "Request", fallback: "The request body of `\(swiftName)(_:)`.")
        }

        guard let (_, answer) = operation["responses"]?.members?.first(where: { $0.key.hasPrefix("2") }) else {
            throw error("\(location).responses", "no 2xx answer")
        }
        guard let schema = answer["content"]?["application/json"]?["schema"] else {
            // A file, CSV or text answer is returned as bytes; a 204 as nothing.
            return PlatformOperation(
                method: method.uppercased(), path: path, operationID: operationID, swiftName: swiftName, namespace: namespace,
                summary: operation["summary"]?.string, documentation: operation["description"]?.string, parameters: parameters, body: body,
                response: nil, answersBytes: answer["content"]?.members?.isEmpty == false, skipReason: skipReason,
                parameterTypes: parameterTypes, isPaged: false, items: nil)
        }
        var builder = TypeBuilder(registry: NameRegistry(reserved: PlatformNaming.reservedTypeNames))
        guard var response = builder.declaration(schema, name: "Response", fallback: "The answer of `\(swiftName)`."),
              case .structure(let fields) = response.kind
        else {
            // An array (or other non-object) answer: `Response` names its Swift type.
            let response = TypeBuilder.named(schema, name: "Response", fallback: "The answer of `\(swiftName)`.")
            return PlatformOperation(
                method: method.uppercased(), path: path, operationID: operationID, swiftName: swiftName, namespace: namespace,
                summary: operation["summary"]?.string, documentation: operation["description"]?.string, parameters: parameters, body: body,
                response: response, skipReason: skipReason, parameterTypes: parameterTypes, isPaged: false, items: nil)
        }
        let isPaged = parameters.contains { $0.name == "cursor" && $0.location == .query } && fields.contains { $0.jsonName == "next_cursor" }
        response.isPage = isPaged && fields.contains { $0.jsonName == "next_cursor" && !$0.isRequired && $0.type == .string }
        let arrays = fields.filter { field in
            guard field.isRequired, !["next_cursor", "has_more"].contains(field.jsonName) else { return false }
            if case .array = field.type { return true }
            return false
        }
        return PlatformOperation(
            method: method.uppercased(), path: path, operationID: operationID, swiftName: swiftName, namespace: namespace,
            summary: operation["summary"]?.string, documentation: operation["description"]?.string, parameters: parameters, body: body,
            response: response, skipReason: skipReason, parameterTypes: parameterTypes, isPaged: response.isPage,
            items: response.isPage && arrays.count == 1 ? arrays[0] : nil)
    }

    private static func number(_ value: OrderedJSON) -> String? {
        if case .number(let text) = value { return text }
        return nil
    }

    private func error(_ path: String, _ message: String) -> CodegenError {
        CodegenError(file: file, path: path, message: message)
    }
}

/// Turns schemas into `PlatformType`s, declaring a named type for each object and string set it meets.
struct TypeBuilder {
    var registry: NameRegistry
    var declarations: [PlatformDeclaration] = []

    /// `schema` declared as `name`: a structure or tagged union, or else a type alias (an array body or answer),
    /// whose own declarations sit beside it.
    static func named(_ schema: OrderedJSON, name: String, fallback: String) -> PlatformDeclaration {
        var builder = TypeBuilder(registry: NameRegistry(reserved: PlatformNaming.reservedTypeNames))
        if let declaration = builder.declaration(schema, name: name, fallback: fallback) { return declaration }
        var aliased = TypeBuilder(registry: NameRegistry(reserved: PlatformNaming.reservedTypeNames.union([name])))
        let type = aliased.type(schema, name: "\(name) item", fallback: "One item of: \(fallback.prefix(1).lowercased() + fallback.dropFirst())")
        var declaration = PlatformDeclaration(name: name, documentation: schema["description"]?.string ?? fallback, kind: .alias(type))
        declaration.nested = aliased.declarations
        return declaration
    }

    /// The declaration of `schema` itself (an object or a tagged `oneOf`), named `name`; nil for anything else.
    mutating func declaration(_ schema: OrderedJSON, name: String, fallback: String) -> PlatformDeclaration? {
        guard case .named = type(schema, name: name, exact: true, fallback: fallback) else { return nil }
        return declarations.popLast()
    }

    /// The type of `schema`; `name` (a property or parameter name) names a type declared for it.
    mutating func type(_ schema: OrderedJSON, name: String, exact: Bool = false, fallback: String? = nil) -> PlatformType {
        let types = schemaTypes(schema)
        // Every declaration is documented (DocC coverage): fal's description, else where the value sits.
        let documentation = schema["description"]?.string ?? fallback ?? "The `\(name)` value."
        if let alternatives = (schema["oneOf"] ?? schema["anyOf"])?.items {
            return union(alternatives, name: name, exact: exact, documentation: documentation)
        }
        switch types.first {
        case "string":
            guard let values = schema["enum"]?.items?.compactMap(\.string), !values.isEmpty else { return .string }
            return declare(PlatformDeclaration(name: name, documentation: documentation, kind: .values(values)), exact: exact)
        case "integer": return .int
        case "number": return .double
        case "boolean": return .bool
        case "array":
            return .array(schema["items"].map { type($0, name: PlatformNaming.singular(name), fallback: "One item of `\(name)`.") } ?? .json)
        case "object":
            let properties = schema["properties"]?.members ?? []
            if properties.isEmpty {
                if let values = schema["additionalProperties"], values.members != nil {
                    return .map(type(values, name: PlatformNaming.singular(name), fallback: "One value of `\(name)`, by key."))
                }
                return .json
            }
            let required = Set(schema["required"]?.items?.compactMap(\.string) ?? [])
            return declareStructure(properties, required: required, name: name, exact: exact, documentation: documentation, tag: nil)
        default:
            return .json
        }
    }

    /// `type` of the schema, with `null` left out: `["number", "null"]` is a number (optional in Swift).
    private func schemaTypes(_ schema: OrderedJSON) -> [String] {
        if let single = schema["type"]?.string { return [single] }
        return schema["type"]?.items?.compactMap(\.string).filter { $0 != "null" } ?? []
    }

    private mutating func union(_ alternatives: [OrderedJSON], name: String, exact: Bool, documentation: String?) -> PlatformType {
        let kinds = alternatives.map(schemaTypes)
        // Strings in several formats (a date-time or `YYYY-MM-DD`): a string.
        if kinds.allSatisfy({ $0 == ["string"] }), alternatives.allSatisfy({ $0["enum"] == nil }) { return .string }
        // fal's array parameters: one value or several.
        if kinds.count == 2, kinds[0] == ["string"], kinds[1] == ["array"], alternatives[1]["items"]?["type"]?.string == "string" {
            return .array(.string)
        }
        // Objects told apart by one property with a single value each.
        if kinds.allSatisfy({ $0 == ["object"] }), let key = discriminator(alternatives) {
            var scope = NameRegistry(reserved: PlatformNaming.reservedTypeNames.union([name]))
            var cases: [PlatformCase] = []
            var nested: [PlatformDeclaration] = []
            for alternative in alternatives {
                let value = alternative["properties"]![key]!["enum"]!.items![0].string!
                let caseName = SwiftNames.escaped(PlatformNaming.lowerCamel(value))
                let caseDocumentation = alternative["description"]?.string ?? "`\(key)`: \(value.debugDescription)."
                let typeName = scope.claim(PlatformNaming.upperCamel(value))
                var builder = TypeBuilder(registry: NameRegistry(reserved: PlatformNaming.reservedTypeNames.union([typeName])))
                let properties = alternative["properties"]!.members!.filter { $0.key != key }
                let required = Set(alternative["required"]?.items?.compactMap(\.string) ?? [])
                _ = builder.declareStructure(
                    properties, required: required, name: typeName, exact: true, documentation: caseDocumentation, tag: (key, value))
                nested += builder.declarations
                cases.append(PlatformCase(swiftName: caseName, value: value, typeName: typeName, documentation: caseDocumentation))
            }
            var declaration = PlatformDeclaration(name: name, documentation: documentation, kind: .tagged(discriminator: key, cases: cases))
            declaration.nested = nested
            return declare(declaration, exact: exact)
        }
        return .json
    }

    /// The property every alternative has with exactly one `enum` value, all values different.
    private func discriminator(_ alternatives: [OrderedJSON]) -> String? {
        guard let first = alternatives.first?["properties"]?.members else { return nil }
        for (key, _) in first {
            let values = alternatives.compactMap { alternative -> String? in
                guard let values = alternative["properties"]?[key]?["enum"]?.items, values.count == 1 else { return nil }
                return values[0].string
            }
            if values.count == alternatives.count, Set(values).count == values.count { return key }
        }
        return nil
    }

    mutating func declareStructure(
        _ properties: [(key: String, value: OrderedJSON)], required: Set<String>, name: String, exact: Bool, documentation: String?,
        tag: (key: String, value: String)?
    ) -> PlatformType {
        var inner = TypeBuilder(registry: NameRegistry(reserved: PlatformNaming.reservedTypeNames.union([PlatformNaming.upperCamel(name)])))
        var fieldNames = NameRegistry(reserved: ["init", "encode", "CodingKeys"])
        var fields: [PlatformField] = []
        for (key, schema) in properties {
            let type = inner.type(schema, name: key)
            let nullable = schema["type"]?.items?.contains(.string("null")) ?? false
            fields.append(PlatformField(
                jsonName: key, swiftName: fieldNames.claim(SwiftNames.escaped(PlatformNaming.lowerCamel(key))), type: type,
                isRequired: required.contains(key) && !nullable, documentation: schema["description"]?.string ?? "fal's `\(key)`."))
        }
        var declaration = PlatformDeclaration(name: name, documentation: documentation, kind: .structure(fields))
        declaration.nested = inner.declarations
        declaration.tag = tag
        return declare(declaration, exact: exact)
    }

    /// Adds `declaration` under a name unique in this scope (`exact`: the name as given).
    private mutating func declare(_ declaration: PlatformDeclaration, exact: Bool) -> PlatformType {
        var declaration = declaration
        declaration.name = exact ? declaration.name : registry.claim(PlatformNaming.upperCamel(declaration.name))
        declarations.append(declaration)
        return .named(declaration.name)
    }
}
