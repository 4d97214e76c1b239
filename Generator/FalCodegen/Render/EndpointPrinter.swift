import FalCore

/// Prints one endpoint's Swift file from its `EndpointModel`. Pure function of the model: the same
/// model always prints the same bytes. Every decision is the planner's; this only spells it.
enum EndpointPrinter {
    static func print(_ model: EndpointModel) -> String {
        var out = CodeWriter()
        let endpoint = model.endpoint
        out.line("\(Generator.headerPrefix) from \(fileName(endpoint.source)). Do not edit; run `make generate`.")
        out.line("import FalRuntime")
        out.line()
        let inputNames = model.declarations.first { $0.role == .input }.flatMap { declaration -> [String: String]? in
            if case .structure(let structure) = declaration.body { return DocComments.propertyNames(structure.properties) }
            return nil
        } ?? [:]
        out.doc(DocComments.endpoint(endpoint, accessor: model.accessorName, names: inputNames))
        out.block("public enum \(model.typeName): FalEndpoint") { out in
            out.line("public static let id = \(SwiftSyntax.literal(endpoint.id))")
            for declaration in model.declarations {
                out.line()
                printDeclaration(declaration, model: model, into: &out)
            }
        }
        out.line()
        out.block("extension FalClient") { out in
            let summary = DocComments.accessorSummary(endpoint)
            out.doc(["`\(SwiftSyntax.inlineDoc(endpoint.id))`" + (summary.map { ": " + $0 } ?? "")])
            out.line("public var \(model.accessorName): EndpointClient<\(model.typeName)> { endpoint(\(model.typeName).self) }")
        }
        return out.text
    }

    static func fileName(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }

    static func conformances(_ declaration: TypeDeclaration, _ extra: [String]) -> String {
        switch declaration.role {
        case .input: return (["FalInput", "Codable", "Hashable"] + extra).joined(separator: ", ")
        case .output: return (["FalOutput", "Codable", "Hashable", "Validatable"] + extra).joined(separator: ", ")
        case .nested: return (["Codable", "Sendable", "Hashable", "Validatable"] + extra).joined(separator: ", ")
        }
    }

    private static func printDeclaration(_ declaration: TypeDeclaration, model: EndpointModel, into out: inout CodeWriter) {
        out.doc(DocComments.type(declaration, endpointID: model.endpoint.id))
        switch declaration.body {
        case .structure(let structure): printStructure(declaration, structure, model: model, into: &out)
        case .stringEnum(let cases):
            if declaration.tolerant { printTolerantEnum(declaration, cases, into: &out) } else { printStrictEnum(declaration, cases, into: &out) }
        case .union(let union): printUnion(declaration, union, validating: model.validating, into: &out)
        case .wrapper(let slot): printWrapper(declaration, slot, validating: model.validating, into: &out)
        }
    }

    // MARK: Structures

    private static func printStructure(_ declaration: TypeDeclaration, _ structure: TypeDeclaration.Structure, model: EndpointModel,
                                       into out: inout CodeWriter) {
        let properties = structure.properties
        out.block("public struct \(declaration.name): \(conformances(declaration, []))") { out in
            let keys = DocComments.propertyNames(properties)
            for property in properties {
                out.doc(DocComments.property(property, siblings: keys))
                out.line("public var \(property.swiftName): \(property.slot.code)")
            }
            if !properties.isEmpty { out.line() }
            let parameters = structure.initializerOrder.map { properties[$0] }.map { property in
                "\(property.swiftName): \(property.slot.code)" + (property.slot.optional && !structure.namesEveryArgument ? " = nil" : "")
            }
            out.block("public init", parameters, maxInline: 3) { out in
                for property in properties { out.line("self.\(property.swiftName) = \(property.swiftName)") }
            }
            printDefaults(properties, declarations: model.declarations, into: &out)
            if !properties.isEmpty {
                out.line()
                out.block("enum CodingKeys: String, CodingKey") { out in
                    for property in properties {
                        let bare = SwiftNames.bare(property.swiftName)
                        out.line(bare == property.key ? "case \(property.swiftName)" : "case \(property.swiftName) = \(SwiftSyntax.literal(property.key))")
                    }
                }
            }
            if structure.strictDecoder {
                out.line()
                printStrictDecoder(properties, into: &out)
            }
            if structure.explicitEncoder {
                out.line()
                out.block("public func encode(to encoder: any Encoder) throws") { out in
                    out.line("var container = encoder.container(keyedBy: CodingKeys.self)")
                    for property in properties {
                        let method = property.slot.optional && !property.required ? "encodeIfPresent" : "encode"
                        out.line("try container.\(method)(\(property.swiftName), forKey: .\(property.swiftName))")
                    }
                }
            }
            var body: [String] = []
            for property in properties {
                body += ValidationEmitter.checks("self." + property.swiftName, property.slot,
                                                 path: "path.key(\(SwiftSyntax.literal(property.key)))", validating: model.validating)
            }
            printValidate(body, into: &out)
        }
    }

    /// `Defaults`: fal's default of every field whose type can spell it, as a constant.
    private static func printDefaults(_ properties: [TypeDeclaration.Property], declarations: [TypeDeclaration], into out: inout CodeWriter) {
        let constants = properties.compactMap { property -> String? in
            guard let value = property.meta.defaultValue,
                let expression = DefaultValues.expression(value, for: property.slot.type, declarations: declarations)
            else { return nil }
            return "public static let \(property.swiftName): \(property.slot.type.code) = \(expression)"
        }
        guard !constants.isEmpty else { return }
        out.line()
        out.doc(["The values fal uses for fields left out (`nil`)."])
        out.block("public enum Defaults") { $0.lines(constants) }
    }

    /// A decoder that keeps "absent" and `null` apart, for inputs (see `TypeDeclaration.DecodeCall`).
    private static func printStrictDecoder(_ properties: [TypeDeclaration.Property], into out: inout CodeWriter) {
        out.block("public init(from decoder: any Decoder) throws") { out in
            out.line("let container = try decoder.container(keyedBy: CodingKeys.self)")
            for property in properties {
                let type = property.slot.type.code, key = ".\(property.swiftName)"
                let call: String
                switch property.decodeCall {
                case .value: call = "decode(\(type).self, forKey: \(key))"
                case .nullableValue: call = "decode(\(type)?.self, forKey: \(key))"
                case .ifPresent: call = "decodeIfPresent(\(type).self, forKey: \(key))"
                case .ifKeyPresent: call = "decodeIfKeyPresent(\(type).self, forKey: \(key))"
                }
                out.line("self.\(SwiftNames.bare(property.swiftName)) = try container.\(call)")
            }
        }
    }

    /// `validate(at:into:)` after a blank line, or nothing when it would check nothing (`Validatable`'s default).
    static func printValidate(_ body: [String], into out: inout CodeWriter) {
        guard !body.isEmpty else { return }
        out.line()
        out.block("public func validate(at path: FieldPath, into issues: inout [ValidationIssue])") { $0.lines(body) }
    }

    // MARK: Enums

    private static func printStrictEnum(_ declaration: TypeDeclaration, _ cases: [TypeDeclaration.EnumCase], into out: inout CodeWriter) {
        out.block("public enum \(declaration.name): String, \(conformances(declaration, ["CaseIterable"]))") { out in
            for item in cases {
                out.line(SwiftNames.bare(item.swiftName) == item.raw ? "case \(item.swiftName)" : "case \(item.swiftName) = \(SwiftSyntax.literal(item.raw))")
            }
        }
    }

    private static func printTolerantEnum(_ declaration: TypeDeclaration, _ cases: [TypeDeclaration.EnumCase], into out: inout CodeWriter) {
        out.block("public enum \(declaration.name): RawRepresentable, \(conformances(declaration, []))") { out in
            for item in cases { out.line("case \(item.swiftName)") }
            out.doc(["A value fal added after this SDK was generated."])
            out.line("case unknown(String)")
            out.line()
            out.line("public static let knownValues: [String] = [\(cases.map { SwiftSyntax.literal($0.raw) }.joined(separator: ", "))]")
            out.line()
            out.block("public init(rawValue: String)") { out in
                out.switchBlock("switch rawValue") { out in
                    for item in cases { out.line("case \(SwiftSyntax.literal(item.raw)): self = .\(item.swiftName)") }
                    out.line("default: self = .unknown(rawValue)")
                }
            }
            out.line()
            out.block("public var rawValue: String") { out in
                out.switchBlock("switch self") { out in
                    for item in cases { out.line("case .\(item.swiftName): return \(SwiftSyntax.literal(item.raw))") }
                    out.line("case .unknown(let value): return value")
                }
            }
            out.line()
            printSingleValueCoding(decode: "self.init(rawValue: try decoder.singleValueContainer().decode(String.self))",
                                   encoded: "rawValue", into: &out)
            out.line()
            out.block("public func validate(at path: FieldPath, into issues: inout [ValidationIssue])") { out in
                out.line("if case .unknown(let value) = self { Rule.oneOf(value, Self.knownValues, at: path, into: &issues) }")
            }
        }
    }

    // MARK: Wrappers

    private static func printWrapper(_ declaration: TypeDeclaration, _ slot: Slot, validating: Set<String>, into out: inout CodeWriter) {
        out.block("public struct \(declaration.name): \(conformances(declaration, []))") { out in
            out.line("public var value: \(slot.code)")
            out.line()
            let defaultValue: String
            switch slot.type {
            case .map: defaultValue = " = [:]"
            case .json: defaultValue = " = .null"
            default: defaultValue = ""
            }
            out.line("public init(_ value: \(slot.code)\(declaration.role == .input ? defaultValue : "")) { self.value = value }")
            out.line()
            printSingleValueCoding(decode: "value = try decoder.singleValueContainer().decode(\(slot.code).self)",
                                   encoded: "value", into: &out)
            printValidate(ValidationEmitter.checks("self.value", slot, path: "path", validating: validating), into: &out)
        }
    }

    /// `init(from:)` and `encode(to:)` for a type coded as one JSON value.
    static func printSingleValueCoding(decode: String, encoded: String, into out: inout CodeWriter) {
        out.block("public init(from decoder: any Decoder) throws") { $0.line(decode) }
        out.line()
        out.block("public func encode(to encoder: any Encoder) throws") { out in
            out.line("var container = encoder.singleValueContainer()")
            out.line("try container.encode(\(encoded))")
        }
    }
}
