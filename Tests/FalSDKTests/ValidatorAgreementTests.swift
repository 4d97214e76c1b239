import FalCodegen
import FalEmulator
import FalSDK
import Foundation
import Testing

/// The emulator validates raw JSON with `SchemaValidator`; clients validate typed values with the generated
/// `validate()`. For every random body that decodes into a seed's Input, both must report the same issues.
@Suite struct ValidatorAgreementTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["fal-ai/illusion-diffusion", "fal-ai/flux-differential-diffusion", "fal-ai/lora/image-to-image", "fal-ai/fast-sdxl/image-to-image"])
    func generatedAndSchemaValidatorsAgree(endpointID: String) throws {
        let loaded = try Generator.load(documents: [Self.root.appendingPathComponent("schemas").path],
                                        overlaysDirectory: Self.root.appendingPathComponent("schemas/overlays").path)
        let endpoint = try #require(loaded.first { $0.endpoint.id == endpointID }?.endpoint)
        let type = try #require(FalEndpoints.all.first { $0.id == endpointID })
        let validator = SchemaValidator(endpoint: endpoint)
        var random = SeededRandom(seed: UInt64(endpointID.utf8.count))
        var decoded = 0, withIssues = 0
        for _ in 0..<1500 {
            let body = RandomJSON(endpoint: endpoint).value(endpoint.input!, depth: 0, using: &random)
            guard let generated = GeneratedIssues.of(type, body) else { continue }
            decoded += 1
            let expected = validator.validateInput(body).map(\.description).sorted()
            #expect(generated.sorted() == expected, "\(body.compactText)")
            if !expected.isEmpty { withIssues += 1 }
        }
        #expect(decoded > 300, "too few random bodies decoded (\(decoded))")
        #expect(withIssues > 50, "too few invalid bodies (\(withIssues)) to mean anything")
    }
}

/// Issues of the generated `validate()` for a JSON body, or nil when the body does not decode.
enum GeneratedIssues {
    static func of(_ endpoint: any FalEndpoint.Type, _ body: JSONValue) -> [String]? { opened(endpoint, body) }

    private static func opened<Endpoint: FalEndpoint>(_ endpoint: Endpoint.Type, _ body: JSONValue) -> [String]? {
        guard let decodable = Endpoint.Input.self as? any Decodable.Type,
              let data = try? JSONEncoder().encode(body),
              let input = (try? JSONDecoder().decode(decodable, from: data)) as? Endpoint.Input else { return nil }
        return input.validationIssues().map(\.description)
    }
}

/// Random JSON shaped by the IR, concentrated on constraint boundaries (just inside and just outside).
struct RandomJSON {
    let endpoint: Endpoint

    func value(_ schema: Schema, depth: Int, using random: inout SeededRandom) -> JSONValue {
        let schema = endpoint.resolve(schema)
        if schema.meta.nullable, Int.random(in: 0..<10, using: &random) == 0 { return .null }
        switch schema.kind {
        case .any, .reference, .null, .mixedEnum, .allOf: return .null
        case .boolean: return .bool(Bool.random(using: &random))
        case .integer(let c):
            let candidates = bounds(c).map { Int($0.rounded()) } + [0, 1, 7, 8, 1000, 1001]
            return .int(candidates.randomElement(using: &random)! + Int.random(in: -1...1, using: &random))
        case .number(let c):
            let candidates = bounds(c) + [0, 0.5, 1]
            return .double(candidates.randomElement(using: &random)! + [-0.001, 0, 0.001, 0.25].randomElement(using: &random)!)
        case .string(let c):
            let length = [c.minLength, c.maxLength].compactMap { $0 }.randomElement(using: &random).map { $0 + Int.random(in: -1...1, using: &random) }
            return .string(String(repeating: "a", count: max(0, length ?? 3)))
        case .stringEnum(let values): return .string(values.randomElement(using: &random)!)
        case .integerEnum(let values): return .int(values.randomElement(using: &random)!)
        case .constant(let value): return value
        case .array(let array):
            guard let items = array.items, depth < 4 else { return .array([]) }
            let upper = (array.maxItems ?? 2) + 1
            let count = Int.random(in: max(0, (array.minItems ?? 0) - 1)...upper, using: &random)
            return .array((0..<count).map { _ in value(items, depth: depth + 1, using: &random) })
        case .object(let object):
            var members: [String: JSONValue] = [:]
            for property in object.properties where object.isRequired(property.name) || (depth < 3 && Bool.random(using: &random)) {
                members[property.name] = value(property.schema, depth: depth + 1, using: &random)
            }
            return .object(members)
        case .union(let union):
            return value(union.alternatives.randomElement(using: &random)!, depth: depth, using: &random)
        }
    }

    private func bounds(_ c: NumericConstraints) -> [Double] {
        var values = [c.minimum, c.maximum, c.exclusiveMinimum, c.exclusiveMaximum].compactMap { $0 }
        if let divisor = c.multipleOf { values += [divisor * 125, divisor * 125 + 1] }
        return values.isEmpty ? [10] : values
    }
}
