import FalSDK
import Foundation
import HostileFixture
import Testing

/// Generated `validate()` against Python's `jsonschema` (Draft 2020-12) on the same schemas (overlays
/// applied): `Tests/Oracle/oracle.py` makes boundary-heavy inputs and judges them; every verdict must match.
/// A case is valid on the Swift side when its JSON decodes into the endpoint's `Input` and `validate()`
/// finds no issue.
@Suite struct OracleTests {
    /// A fixed seed keeps CI reproducible; FAL_ORACLE_SEED explores others.
    static let seed = ProcessInfo.processInfo.environment["FAL_ORACLE_SEED"].flatMap { Int($0) } ?? 20_261_123

    /// The issue's property test: ≥ 10,000 inputs over the four seed Input schemas.
    @Test func seedValidatorsAgreeWithJSONSchema() throws {
        try Self.check(schemas: "schemas", overlays: "schemas/overlays", count: 10_000, minimumShare: 0.2)
    }

    /// The hostile fixture adds what the seeds lack: a pattern, a fractional multipleOf in nested arrays,
    /// exclusiveMaximum, code-point string lengths, integer enums, deep and recursive objects.
    @Test func hostileValidatorsAgreeWithJSONSchema() throws {
        try Self.check(schemas: "Tests/Fixtures/hostile", overlays: "Tests/Fixtures/hostile", count: 2_000, minimumShare: 0.1)
    }

    /// Runs the oracle and compares; `minimumShare` of the cases must have each verdict, or agreement says little.
    static func check(schemas: String, overlays: String, count: Int, minimumShare: Double) throws {
        let cases = try OracleRun.cases(schemas: schemas, overlays: overlays, count: count, seed: seed)
        #expect(cases.count >= count, "oracle.py printed \(cases.count) cases, expected \(count)")

        var disagreements: [String] = []
        var verdicts: [Bool: Int] = [:]
        var unknownEndpoints: Set<String> = []
        for item in cases {
            guard let judge = GeneratedInputs.judges[item.endpoint] else {
                unknownEndpoints.insert(item.endpoint)
                continue
            }
            let swift = judge(Data(item.inputText.utf8))
            verdicts[item.valid, default: 0] += 1
            if swift.valid != item.valid { disagreements.append(item.report(swift: swift)) }
        }
        #expect(unknownEndpoints.isEmpty, "oracle cases for endpoints without a generated Input here: \(unknownEndpoints.sorted())")
        let minimum = Int(Double(cases.count) * minimumShare)
        #expect(verdicts[true, default: 0] >= minimum, "only \(verdicts[true, default: 0]) valid cases")
        #expect(verdicts[false, default: 0] >= minimum, "only \(verdicts[false, default: 0]) invalid cases")
        if !disagreements.isEmpty {
            Issue.record(
                """
                \(disagreements.count) of \(cases.count) verdicts differ from jsonschema; the first ones:
                \(disagreements.prefix(8).joined(separator: "\n"))
                """)
        }
    }
}

/// What the Swift side says about one input: decoded and validated, or why not.
struct SwiftVerdict {
    var valid: Bool
    /// The decoding error or the `validate()` issues.
    var explanation: [String]
}

/// The generated `Input` types by endpoint id: the four seeds (FalSDK) and the hostile fixture.
enum GeneratedInputs {
    static let judges: [String: @Sendable (Data) -> SwiftVerdict] = Dictionary(
        uniqueKeysWithValues: [
            entry(IllusionDiffusion.self),
            entry(FluxDifferentialDiffusion.self),
            entry(LoraImageToImage.self),
            entry(FastSDXLImageToImage.self),
            entry(TestHostile.self),
        ])

    private static func entry<E: FalEndpoint>(_ endpoint: E.Type) -> (String, @Sendable (Data) -> SwiftVerdict)
    where E.Input: Decodable {
        (E.id, { data in
            let input: E.Input
            do {
                input = try JSONDecoder().decode(E.Input.self, from: data)
            } catch {
                return SwiftVerdict(valid: false, explanation: ["decoding failed: \(error)"])
            }
            let issues = input.validationIssues()
            return SwiftVerdict(valid: issues.isEmpty, explanation: issues.map(\.description))
        })
    }
}
