/// Checks an OpenAPI 3.0 / 3.1 document's structure on the ordered tree, naming the path and the rule of
/// the first violation, and hands every schema it meets to `SchemaChecker`.
///
/// This is the generator's one parser together with `OrderedJSONReader`, `SchemaChecker` and
/// `SchemaBuilder` (see Generator/README.md, "One parse"). It checks what OpenAPI requires of the objects a
/// fal queue document has (info, servers and their variables, paths, operations, parameters, request bodies,
/// responses, headers, media types, components), `$ref` objects in their place, and every schema, used by
/// the endpoint or not. Vendor extensions (`x-…`), examples and descriptions are free-form.
struct DocumentChecker {
    let file: String
    private var schemas: SchemaChecker

    init(file: String) {
        self.file = file
        schemas = SchemaChecker(file: file)
    }

    static let operations: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
    static let parameterLocations: Set<String> = ["query", "header", "path", "cookie"]

    mutating func check(_ document: OrderedJSON) throws(CodegenError) {
        let root = "$"
        try object(document, at: root)
        guard let version = document["openapi"]?.string else {
            throw failure(JSONPath.member(root, "openapi"), "missing `openapi` version; not an OpenAPI document")
        }
        guard version.hasPrefix("3.0.") || version.hasPrefix("3.1.") else {
            throw failure(JSONPath.member(root, "openapi"), "invalid OpenAPI \(version) document: only OpenAPI 3.0.x and 3.1.x are read")
        }
        let info = try required(document, "info", at: root)
        try object(info, at: "$.info")
        try requiredString(info, "title", at: "$.info")
        try requiredString(info, "version", at: "$.info")
        if let servers = document["servers"] { try each(servers, at: "$.servers") { checker, server, path throws(CodegenError) in try checker.server(server, at: path) } }
        if let paths = document["paths"] {
            for (key, item) in try members(paths, at: "$.paths") where !key.hasPrefix("x-") {
                let path = JSONPath.member("$.paths", key)
                guard key.hasPrefix("/") else { throw failure(path, "a path must start with `/`") }
                try pathItem(item, at: path)
            }
        }
        if let components = document["components"] { try self.components(components, at: "$.components") }
    }

    // MARK: Objects

    private mutating func server(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        try requiredString(json, "url", at: path)
        guard let variables = json["variables"] else { return }
        for (name, variable) in try members(variables, at: JSONPath.member(path, "variables")) {
            let at = JSONPath.member(JSONPath.member(path, "variables"), name)
            try requiredString(variable, "default", at: at)
            if let values = variable["enum"] {
                try each(values, at: JSONPath.member(at, "enum")) { checker, value, path throws(CodegenError) in
                    guard value.string != nil else { throw checker.failure(path, "expected a string, found \(value.kindDescription)") }
                }
            }
        }
    }

    private mutating func pathItem(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        if json["$ref"] != nil { return try reference(json, at: path) }
        for (key, value) in try members(json, at: path) {
            let at = JSONPath.member(path, key)
            if Self.operations.contains(key) {
                try operation(value, at: at)
            } else if key == "parameters" {
                try each(value, at: at) { checker, parameter, path throws(CodegenError) in try checker.parameter(parameter, at: path) }
            } else if key == "servers" {
                try each(value, at: at) { checker, server, path throws(CodegenError) in try checker.server(server, at: path) }
            }
        }
    }

    private mutating func operation(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        try object(json, at: path)
        if let parameters = json["parameters"] {
            try each(parameters, at: JSONPath.member(path, "parameters")) { checker, parameter, path throws(CodegenError) in
                try checker.parameter(parameter, at: path)
            }
        }
        if let body = json["requestBody"] { try requestBody(body, at: JSONPath.member(path, "requestBody")) }
        if let responses = json["responses"] {
            for (code, response) in try members(responses, at: JSONPath.member(path, "responses")) where !code.hasPrefix("x-") {
                try self.response(response, at: JSONPath.member(JSONPath.member(path, "responses"), code))
            }
        }
        if let callbacks = json["callbacks"] { _ = try members(callbacks, at: JSONPath.member(path, "callbacks")) }
    }

    private mutating func parameter(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        if json["$ref"] != nil { return try reference(json, at: path) }
        try requiredString(json, "name", at: path)
        let location = try requiredString(json, "in", at: path)
        guard Self.parameterLocations.contains(location) else {
            throw failure(JSONPath.member(path, "in"), "\"\(location)\" is not a parameter location (\(Self.parameterLocations.sorted().joined(separator: ", ")))")
        }
        try schemaAndContent(json, at: path)
    }

    private mutating func requestBody(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        if json["$ref"] != nil { return try reference(json, at: path) }
        try content(try required(json, "content", at: path), at: JSONPath.member(path, "content"))
    }

    private mutating func response(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        if json["$ref"] != nil { return try reference(json, at: path) }
        try requiredString(json, "description", at: path)
        if let content = json["content"] { try self.content(content, at: JSONPath.member(path, "content")) }
        if let headers = json["headers"] {
            for (name, header) in try members(headers, at: JSONPath.member(path, "headers")) {
                try self.header(header, at: JSONPath.member(JSONPath.member(path, "headers"), name))
            }
        }
    }

    private mutating func header(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        if json["$ref"] != nil { return try reference(json, at: path) }
        try schemaAndContent(json, at: path)
    }

    private mutating func schemaAndContent(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        if let schema = json["schema"] { try schemas.check(schema, at: JSONPath.member(path, "schema")) }
        if let content = json["content"] { try self.content(content, at: JSONPath.member(path, "content")) }
    }

    private mutating func content(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        for (mediaType, media) in try members(json, at: path) {
            let at = JSONPath.member(path, mediaType)
            try object(media, at: at)
            if let schema = media["schema"] { try schemas.check(schema, at: JSONPath.member(at, "schema")) }
        }
    }

    private mutating func components(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        for (kind, map) in try members(json, at: path) where !kind.hasPrefix("x-") {
            let at = JSONPath.member(path, kind)
            for (name, value) in try members(map, at: at) {
                let item = JSONPath.member(at, name)
                switch kind {
                case "schemas": try schemas.check(value, at: item)
                case "parameters": try parameter(value, at: item)
                case "requestBodies": try requestBody(value, at: item)
                case "responses": try response(value, at: item)
                case "headers": try header(value, at: item)
                case "pathItems": try pathItem(value, at: item)
                default: try object(value, at: item)
                }
            }
        }
    }

    private func reference(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        guard json["$ref"]?.string != nil else { throw failure(JSONPath.member(path, "$ref"), "expected a string, found \(json["$ref"]!.kindDescription)") }
    }

    // MARK: Helpers

    private func failure(_ path: String, _ rule: String) -> CodegenError {
        CodegenError(file: file, path: path, message: rule)
    }

    private func object(_ json: OrderedJSON, at path: String) throws(CodegenError) {
        guard json.members != nil else { throw failure(path, "expected an object, found \(json.kindDescription)") }
    }

    private func members(_ json: OrderedJSON, at path: String) throws(CodegenError) -> [(key: String, value: OrderedJSON)] {
        guard let members = json.members else { throw failure(path, "expected an object, found \(json.kindDescription)") }
        return members
    }

    private func required(_ json: OrderedJSON, _ key: String, at path: String) throws(CodegenError) -> OrderedJSON {
        try object(json, at: path)
        guard let value = json[key] else { throw failure(JSONPath.member(path, key), "missing required `\(key)`") }
        return value
    }

    @discardableResult
    private func requiredString(_ json: OrderedJSON, _ key: String, at path: String) throws(CodegenError) -> String {
        let value = try required(json, key, at: path)
        guard let text = value.string else { throw failure(JSONPath.member(path, key), "expected a string, found \(value.kindDescription)") }
        return text
    }

    private mutating func each(
        _ json: OrderedJSON, at path: String, _ body: (inout DocumentChecker, OrderedJSON, String) throws(CodegenError) -> Void
    ) throws(CodegenError) {
        guard let items = json.items else { throw failure(path, "expected an array, found \(json.kindDescription)") }
        for (position, item) in items.enumerated() { try body(&self, item, "\(path)[\(position)]") }
    }
}
