/// Prints one operation as Swift: the `FalPlatform` method(s) and a namespace enum with the operation's types.
struct PlatformPrinter {
    let tag: String
    let documentName: String
    private var lines: [String] = []
    private var indent = 0

    init(tag: String, documentName: String) {
        self.tag = tag
        self.documentName = documentName
    }

    static func file(_ operation: PlatformOperation, tag: String, documentName: String) -> GeneratedFile {
        var printer = PlatformPrinter(tag: tag, documentName: documentName)
        printer.print(operation)
        return GeneratedFile(name: "FalPlatform+\(operation.namespace).swift", contents: printer.lines.joined(separator: "\n") + "\n")
    }

    // MARK: Lines

    private mutating func line(_ text: String = "") {
        lines.append(text.isEmpty ? "" : String(repeating: "    ", count: indent) + text)
    }

    private mutating func doc(_ text: String?) {
        guard let text else { return }
        for line in SwiftSyntax.docLines(text) { self.line(line.isEmpty ? "///" : "/// " + line) }
    }

    /// `head(a, b) tail {`, or with one parameter per line when that is longer than 120 columns.
    private mutating func signatureBlock(_ head: String, _ parameters: [String], _ tail: String, _ body: (inout PlatformPrinter) -> Void) {
        let single = "\(head)(\(parameters.joined(separator: ", ")))\(tail)"
        guard indent * 4 + single.count + 2 > 120, !parameters.isEmpty else { return block(single, body) }
        line("\(head)(")
        indent += 1
        for (index, parameter) in parameters.enumerated() { line(parameter + (index == parameters.count - 1 ? "" : ",")) }
        indent -= 1
        block(")\(tail)", body)
    }

    private mutating func block(_ opening: String, _ body: (inout PlatformPrinter) -> Void) {
        line(opening + " {")
        indent += 1
        body(&self)
        indent -= 1
        line("}")
    }

    /// One line of prose for a parameter list: the description's first paragraph, lines joined.
    private static func summaryLine(_ text: String?) -> String {
        guard let text else { return "" }
        let paragraph = SwiftSyntax.docLines(text).split(separator: "").first ?? []
        return paragraph.joined(separator: " ")
    }

    // MARK: Operation

    private mutating func print(_ operation: PlatformOperation) {
        line("\(Generator.headerPrefix) platform from \(documentName) (tag \(tag)). Do not edit; run `make generate`.")
        line("import FalCore")
        line("import Foundation")
        line()
        block("extension FalPlatform") { printer in
            if operation.isPaged {
                printer.sequenceMethod(operation)
                printer.line()
            }
            printer.requestMethod(operation)
            printer.namespace(operation)
        }
    }

    /// The parameters of the method, in call-site order: required first, then optional ones, then `limit` and `cursor`.
    private static func signatureParameters(_ operation: PlatformOperation, paging: Bool) -> [PlatformParameter] {
        let parameters = operation.parameters.filter { !(paging && $0.name == "cursor") }
        let last = ["limit", "cursor"]
        let ordinary = parameters.filter { !last.contains($0.name) }
        return ordinary.filter(\.isRequired) + ordinary.filter { !$0.isRequired } + last.compactMap { name in parameters.first { $0.name == name } }
    }

    private static func declaration(_ parameter: PlatformParameter, namespace: String) -> String {
        let type = qualified(parameter.type, namespace: namespace).swift
        return parameter.isRequired ? "\(parameter.swiftName): \(type)" : "\(parameter.swiftName): \(type)? = nil"
    }

    /// A parameter's type as written outside the namespace that declares it (`Assets.MediaType`, `[Assets.Source]`).
    private static func qualified(_ type: PlatformType, namespace: String) -> PlatformType {
        switch type {
        case .named(let name): return .named("\(namespace).\(name)")
        case .array(let element): return .array(qualified(element, namespace: namespace))
        case .map(let value): return .map(qualified(value, namespace: namespace))
        default: return type
        }
    }

    private mutating func operationDoc(_ operation: PlatformOperation, parameters: [PlatformParameter], extra: [String], returns: String) {
        doc(operation.summary)
        if operation.documentation != nil { line("///") }
        doc(operation.documentation)
        line("///")
        line("/// `\(operation.method) \(operation.path)`\(extra.isEmpty ? "" : " " + extra.joined(separator: " "))")
        line("///")
        if !parameters.isEmpty || operation.body != nil {
            line("/// - Parameters:")
            if let body = operation.body { line("///   - body: \(Self.summaryLine(body.documentation ?? "The request body."))") }
            for parameter in parameters {
                line("///   - \(SwiftNames.bare(parameter.swiftName)): \(Self.summaryLine(parameter.documentation))")
            }
        }
        line("/// - Returns: \(returns)")
        line("/// - Throws: `FalError.validation` naming the parameter when one breaks a documented rule (nothing is sent then);")
        line("///   `FalError.http` with fal's error `type` and `message` when fal refuses the request.")
    }

    private mutating func sequenceMethod(_ operation: PlatformOperation) {
        let parameters = Self.signatureParameters(operation, paging: true)
        let namespace = operation.namespace
        let element = operation.items.map { "\(namespace).\(itemTypeName($0))" }
        let returnType = element.map { "FalPlatformItems<\(namespace).Response, \($0)>" } ?? "FalPlatformPages<\(namespace).Response>"
        let returns = operation.items.map { "every `\($0.jsonName)` item of every page, requesting the next page (`next_cursor`) as iteration reaches it." }
            ?? "every page, requesting the next one (`next_cursor`) as iteration reaches it."
        operationDoc(operation, parameters: parameters, extra: ["(all pages)."], returns: returns)
        var signature = parameters.map { Self.declaration($0, namespace: namespace) }
        if operation.body != nil { signature.insert("_ body: \(namespace).Request", at: 0) }
        signatureBlock("public func \(operation.swiftName)", signature, " -> \(returnType)") { printer in
            let arguments = ((operation.body != nil ? ["body"] : []) + parameters.map { "\(SwiftNames.bare($0.swiftName)): \($0.swiftName)" } + ["cursor: cursor"])
                .joined(separator: ", ")
            printer.line("let pages = FalPlatformPages { cursor async throws(FalError) -> \(namespace).Response in")
            printer.line("    try await self.\(operation.swiftName)Page(\(arguments))")
            printer.line("}")
            if let items = operation.items {
                printer.line("return FalPlatformItems(pages: pages) { $0.\(items.swiftName) }")
            } else {
                printer.line("return pages")
            }
        }
    }

    private func itemTypeName(_ field: PlatformField) -> String {
        if case .array(.named(let name)) = field.type { return name }
        return field.type.swift.dropFirst().dropLast().description
    }

    private mutating func requestMethod(_ operation: PlatformOperation) {
        let parameters = Self.signatureParameters(operation, paging: false)
        let namespace = operation.namespace
        let name = operation.isPaged ? operation.swiftName + "Page" : operation.swiftName
        if operation.isPaged {
            // The sequence method above carries the operation's documentation; a page needs only its own.
            var summary = operation
            summary.summary = "One page of `\(operation.swiftName)(…)`\(operation.summary.map { ": \($0.lowercased())" } ?? "")."
            summary.documentation = nil
            operationDoc(summary, parameters: parameters, extra: ["(one page)."], returns: "one page; pass its `nextCursor` as `cursor` for the next.")
        } else {
            let returns = operation.response != nil ? "fal's answer." : operation.answersBytes ? "the answer's bytes." : "nothing: fal answers 204."
            operationDoc(operation, parameters: parameters, extra: [], returns: returns)
        }
        var signature = parameters.map { Self.declaration($0, namespace: namespace) }
        if operation.body != nil { signature.insert("_ body: \(namespace).Request", at: 0) }
        let result = operation.response != nil ? " -> \(namespace).Response" : operation.answersBytes ? " -> Data" : ""
        let sender = operation.response != nil ? "return try await send" : operation.answersBytes ? "return try await sendForBytes" : "try await sendForNoContent"
        signatureBlock("public func \(name)", signature, " async throws(FalError)\(result)") { printer in
            let query = parameters.filter { $0.location == .query }
            printer.line((query.isEmpty && !parameters.contains { $0.location == .path } ? "let" : "var") + " query = PlatformQuery()")
            for parameter in parameters where parameter.location == .path {
                printer.line("query.require(\(SwiftSyntax.literal(parameter.name)), \(parameter.swiftName))")
            }
            for parameter in query { printer.line(Self.queryLine(parameter)) }
            var path = operation.path
            for parameter in parameters where parameter.location == .path {
                path = path.replacingOccurrences(of: "{\(parameter.name)}", with: "\\(PlatformQuery.pathSegment(\(parameter.swiftName)))")
            }
            var arguments = [SwiftSyntax.literal(operation.method), "\"\(path)\"", "query: query"]
            let headers = parameters.filter { $0.location == .header }
            if !headers.isEmpty {
                printer.line("var headers: [(String, String)] = []")
                for header in headers {
                    printer.line("if let \(SwiftNames.bare(header.swiftName)) = \(header.swiftName) { headers.append((\(SwiftSyntax.literal(header.name)), \(SwiftNames.bare(header.swiftName)))) }")
                }
                arguments.append("headers: headers")
            }
            if operation.body != nil { arguments.append("body: try encode(body)") }
            printer.line("\(sender)(\(arguments.joined(separator: ", ")))")
        }
    }

    private static func queryLine(_ parameter: PlatformParameter) -> String {
        let name = SwiftSyntax.literal(parameter.name)
        var arguments = [name, parameter.swiftName]
        if case .array = parameter.type, parameter.isRequired { arguments.append("required: true") }
        if let minimum = parameter.minimum { arguments.append("minimum: \(minimum)") }
        if let maximum = parameter.maximum { arguments.append("maximum: \(maximum)") }
        if parameter.isRequired, parameter.type == .string { return "query.require(\(name), \(parameter.swiftName)); query.add(\(arguments.joined(separator: ", ")))" }
        return "query.add(\(arguments.joined(separator: ", ")))"
    }

    // MARK: Types

    private mutating func namespace(_ operation: PlatformOperation) {
        guard operation.response != nil || operation.body != nil || !operation.parameterTypes.isEmpty else { return }
        line()
        line("/// The types of `\(operation.swiftName)`: `\(operation.method) \(operation.path)`.")
        block("public enum \(operation.namespace)") { printer in
            var first = true
            if let items = operation.items, case .array(.named(let name)) = items.type {
                printer.line("/// One item of `\(operation.swiftName)(…)`: an element of `Response.\(items.swiftName)`.")
                printer.line("public typealias \(name) = Response.\(name)")
                first = false
            }
            for declaration in operation.parameterTypes + [operation.body, operation.response].compactMap({ $0 }) {
                if !first { printer.line() }
                printer.declaration(declaration)
                first = false
            }
        }
    }

    private mutating func declaration(_ declaration: PlatformDeclaration) {
        switch declaration.kind {
        case .structure(let fields): structure(declaration, fields: fields)
        case .values(let values): openValues(declaration, values: values)
        case .tagged(let discriminator, let cases): tagged(declaration, discriminator: discriminator, cases: cases)
        case .alias(let type):
            doc(declaration.documentation)
            line("public typealias \(declaration.name) = \(type.swift)")
            nested(declaration.nested)
        }
    }

    private mutating func nested(_ declarations: [PlatformDeclaration]) {
        for declaration in declarations {
            line()
            self.declaration(declaration)
        }
    }

    private mutating func structure(_ declaration: PlatformDeclaration, fields: [PlatformField]) {
        doc(declaration.documentation)
        let conformances = ["Sendable", "Hashable", "Codable"] + (declaration.isPage ? ["FalPlatformPage"] : [])
        block("public struct \(declaration.name): \(conformances.joined(separator: ", "))") { printer in
            for field in fields {
                printer.doc(field.documentation)
                printer.line("public var \(field.swiftName): \(field.type.swift)\(field.isRequired ? "" : "?")")
            }
            if !fields.isEmpty { printer.line() }
            printer.line("/// A value with every property; optional ones default to nil.")
            let parameters = fields.map { "\(SwiftNames.bare($0.swiftName)): \($0.type.swift)\($0.isRequired ? "" : "? = nil")" }
            printer.signatureBlock("public init", parameters, "") { printer in
                for field in fields { printer.line("self.\(SwiftNames.bare(field.swiftName)) = \(field.swiftName)") }
            }
            if !fields.isEmpty || declaration.tag != nil {
                printer.line()
                printer.block("enum CodingKeys: String, CodingKey") { printer in
                    if let tag = declaration.tag { printer.line("case discriminator = \(SwiftSyntax.literal(tag.key))") }
                    for field in fields {
                        printer.line(SwiftNames.bare(field.swiftName) == field.jsonName ? "case \(field.swiftName)" : "case \(field.swiftName) = \(SwiftSyntax.literal(field.jsonName))")
                    }
                }
            }
            if let tag = declaration.tag { printer.taggedCoding(fields: fields, tag: tag) }
            printer.nested(declaration.nested)
        }
    }

    /// An alternative of a tagged union decodes its fields and encodes its tag with them.
    private mutating func taggedCoding(fields: [PlatformField], tag: (key: String, value: String)) {
        line()
        line("/// Decodes the fields (the tag `\(tag.key)` was read by the union).")
        block("public init(from decoder: any Decoder) throws") { printer in
            printer.line("let container = try decoder.container(keyedBy: CodingKeys.self)")
            for field in fields {
                let method = field.isRequired ? "decode" : "decodeIfPresent"
                printer.line("\(field.swiftName) = try container.\(method)(\(field.type.swift).self, forKey: .\(SwiftNames.bare(field.swiftName)))")
            }
        }
        line()
        line("/// Encodes the fields and `\(tag.key)`: \(SwiftSyntax.literal(tag.value)).")
        block("public func encode(to encoder: any Encoder) throws") { printer in
            printer.line("var container = encoder.container(keyedBy: CodingKeys.self)")
            printer.line("try container.encode(\(SwiftSyntax.literal(tag.value)), forKey: .discriminator)")
            for field in fields {
                let method = field.isRequired ? "encode" : "encodeIfPresent"
                printer.line("try container.\(method)(\(field.swiftName), forKey: .\(SwiftNames.bare(field.swiftName)))")
            }
        }
    }

    private mutating func openValues(_ declaration: PlatformDeclaration, values: [String]) {
        doc(declaration.documentation)
        line("///")
        line("/// Values fal documents are static members; a value it adds later decodes too.")
        let name = declaration.name
        block("public struct \(name): RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible") { printer in
            printer.line("/// The value as fal sends it.")
            printer.line("public var rawValue: String")
            printer.line()
            printer.line("/// Any value, documented or not.")
            printer.line("public init(rawValue: String) { self.rawValue = rawValue }")
            printer.line()
            var names = NameRegistry(reserved: ["rawValue", "description", "init"])
            for value in values {
                printer.line("/// \(SwiftSyntax.literal(value))")
                printer.line("public static let \(names.claim(SwiftNames.escaped(PlatformNaming.lowerCamel(value)))) = \(name)(rawValue: \(SwiftSyntax.literal(value)))")
            }
            printer.line()
            printer.line("/// The raw value.")
            printer.line("public var description: String { rawValue }")
        }
    }

    private mutating func tagged(_ declaration: PlatformDeclaration, discriminator: String, cases: [PlatformCase]) {
        doc(declaration.documentation)
        block("public enum \(declaration.name): Sendable, Hashable, Codable") { printer in
            for item in cases {
                printer.doc(item.documentation)
                printer.line("case \(item.swiftName)(\(item.typeName))")
            }
            printer.line()
            printer.line("/// Reads `\(discriminator)` and decodes the alternative it names.")
            printer.block("public init(from decoder: any Decoder) throws") { printer in
                printer.line("let container = try decoder.container(keyedBy: DiscriminatorKey.self)")
                printer.line("let tag = try container.decode(String.self, forKey: .discriminator)")
                printer.line("switch tag {")
                for item in cases {
                    printer.line("case \(SwiftSyntax.literal(item.value)): self = .\(SwiftNames.bare(item.swiftName))(try \(item.typeName)(from: decoder))")
                }
                printer.line("default:")
                printer.line("    throw DecodingError.dataCorruptedError(")
                printer.line("        forKey: .discriminator, in: container, debugDescription: \"unknown \(discriminator) \\(tag.debugDescription)\")")
                printer.line("}")
            }
            printer.line()
            printer.line("/// Encodes the alternative with its `\(discriminator)`.")
            printer.block("public func encode(to encoder: any Encoder) throws") { printer in
                printer.line("switch self {")
                for item in cases { printer.line("case .\(SwiftNames.bare(item.swiftName))(let value): try value.encode(to: encoder)") }
                printer.line("}")
            }
            printer.line()
            printer.block("enum DiscriminatorKey: String, CodingKey") { printer in
                printer.line("case discriminator = \(SwiftSyntax.literal(discriminator))")
            }
            printer.nested(declaration.nested)
        }
    }
}
