import FalCore

/// Prints a union as one Swift enum: its cases, the decoding the planner chose (by discriminator, or by
/// trying each shape and collecting every failure), encoding, and `validate()`.
extension EndpointPrinter {
    static func printUnion(_ declaration: TypeDeclaration, _ union: TypeDeclaration.Union, validating: Set<String>,
                           into out: inout CodeWriter) {
        let cases = union.cases
        let tolerant = declaration.tolerant
        out.block("public enum \(declaration.name): \(conformances(declaration, []))") { out in
            for item in cases {
                if let payload = item.payload {
                    out.line("case \(item.swiftName)(\(payload.type.code))")
                } else {
                    out.doc(["`\(SwiftSyntax.docValue(.string(item.raw ?? "")).dropFirst().dropLast())`"])
                    out.line("case \(item.swiftName)")
                }
            }
            if tolerant {
                out.doc(["A value of a shape fal added after this SDK was generated."])
                out.line("case other(JSONValue)")
            }
            out.line()
            out.block("public init(from decoder: any Decoder) throws") { out in
                out.line("let container = try decoder.singleValueContainer()")
                switch union.decoding {
                case .discriminated(let property, let tags):
                    printDiscriminatedDecoding(property, tags, cases: cases, tolerant: tolerant, into: &out)
                case .attempts(let presets, let stringFallback, let wrapsFile, let attempts):
                    printAttempts(presets, stringFallback, wrapsFile, attempts, cases: cases, tolerant: tolerant, into: &out)
                }
            }
            out.line()
            out.block("public func encode(to encoder: any Encoder) throws") { out in
                out.line("var container = encoder.singleValueContainer()")
                out.switchBlock("switch self") { out in
                    for item in cases {
                        if item.payload != nil {
                            out.line("case .\(item.swiftName)(let value): try container.encode(value)")
                        } else {
                            out.line("case .\(item.swiftName): try container.encode(\(SwiftSyntax.literal(item.raw ?? "")))")
                        }
                    }
                    if tolerant { out.line("case .other(let value): try container.encode(value)") }
                }
            }
            var body: [String] = []
            var covered = 0
            for item in cases {
                guard let payload = item.payload else { continue }
                let checks = ValidationEmitter.checks("value", payload, path: "path", validating: validating)
                if checks.isEmpty { continue }
                covered += 1
                body.append("case .\(item.swiftName)(let value):")
                body += checks.map { "    " + $0 }
            }
            if !body.isEmpty {
                let everyCase = covered == cases.count && !tolerant
                body = ["switch self {"] + body + (everyCase ? [] : ["default: break"]) + ["}"]
            }
            printValidate(body, into: &out)
        }
    }

    private static func payloadCode(_ caseName: String, in cases: [TypeDeclaration.UnionCase]) -> String {
        cases.first { $0.swiftName == caseName }!.payload!.type.code
    }

    private static func expected(_ cases: [TypeDeclaration.UnionCase]) -> String {
        cases.map { $0.payload.map { $0.type.code } ?? SwiftSyntax.docValue(.string($0.raw ?? "")) }.joined(separator: ", ")
    }

    private static func printDiscriminatedDecoding(_ property: String, _ tags: [(value: String, caseName: String)],
                                                   cases: [TypeDeclaration.UnionCase], tolerant: Bool, into out: inout CodeWriter) {
        out.switchBlock("switch try decoder.discriminator(\(SwiftSyntax.literal(property)))") { out in
            for tag in tags {
                out.line("case \(SwiftSyntax.literal(tag.value)): self = .\(tag.caseName)(try container.decode(\(payloadCode(tag.caseName, in: cases)).self))")
            }
            if tolerant {
                out.line("default: self = .other(try container.decode(JSONValue.self))")
            } else {
                let known = tags.map { SwiftSyntax.docValue(.string($0.value)) }.joined(separator: ", ")
                out.line("case let value: throw DecodingError.dataCorruptedError(in: container, debugDescription: "
                    + "\"\\(value) is not one of \(SwiftSyntax.literal(known).dropFirst().dropLast())\")")
            }
        }
    }

    private static func printAttempts(_ presets: [(raw: String, caseName: String)], _ stringFallback: String?, _ wrapsFile: Bool,
                                      _ attempts: [String], cases: [TypeDeclaration.UnionCase], tolerant: Bool, into out: inout CodeWriter) {
        if !tolerant && !attempts.isEmpty { out.line("var failures = AlternativeFailures()") }
        if !presets.isEmpty {
            out.block("if let value = try? container.decode(String.self)") { out in
                out.switchBlock("switch value") { out in
                    for preset in presets { out.line("case \(SwiftSyntax.literal(preset.raw)): self = .\(preset.caseName); return") }
                    if let stringFallback {
                        out.line("default: self = .\(stringFallback)(\(wrapsFile ? ".url(value)" : "value")); return")
                    } else if tolerant {
                        out.line("default: self = .other(.string(value)); return")
                    } else {
                        out.line("default: break")
                    }
                }
            }
        }
        // One line per attempt, or, when one would pass the line limit, every attempt's `do`/`catch` written out.
        let oneLiners = attempts.map { caseName in
            let type = payloadCode(caseName, in: cases)
            return tolerant
                ? "if let value = try? container.decode(\(type).self) { self = .\(caseName)(value); return }"
                : "do { self = .\(caseName)(try container.decode(\(type).self)); return } catch { failures.record(\(SwiftSyntax.literal(type)), error) }"
        }
        if tolerant || oneLiners.allSatisfy(out.fits) {
            out.lines(oneLiners)
        } else {
            for caseName in attempts {
                let type = payloadCode(caseName, in: cases)
                out.line("do {")
                out.line("    self = .\(caseName)(try container.decode(\(type).self))")
                out.line("    return")
                out.line("} catch {")
                out.line("    failures.record(\(SwiftSyntax.literal(type)), error)")
                out.line("}")
            }
        }
        if tolerant {
            out.line("self = .other(try container.decode(JSONValue.self))")
        } else if attempts.isEmpty {
            out.call("throw DecodingError.dataCorruptedError",
                     ["in: container", "debugDescription: \(SwiftSyntax.literal("expected one of: " + expected(cases)))"])
        } else {
            out.call("throw failures.decodingError", ["in: container", "expected: \(SwiftSyntax.literal(expected(cases)))"])
        }
    }
}
