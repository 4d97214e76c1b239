import Foundation
import FalSDK
import Testing

/// `validate()` of the generated seed inputs against Python's `jsonschema` (Draft 2020-12) on the same
/// schemas with overlays applied: `Tests/Oracle/oracle.py` makes ≥ 10,000 boundary-heavy inputs and judges
/// them; every verdict must match. A case is valid on the Swift side when its JSON decodes into the
/// endpoint's `Input` and `validate()` finds no issue.
@Suite struct OracleTests {
    static let caseCount = 10_000

    @Test func generatedValidatorsAgreeWithJSONSchema() throws {
        // A fixed seed keeps CI reproducible; FAL_ORACLE_SEED explores others.
        let seed = ProcessInfo.processInfo.environment["FAL_ORACLE_SEED"].flatMap { Int($0) } ?? 20_261_123
        let cases = try OracleRun.cases(count: Self.caseCount, seed: seed)
        #expect(cases.count >= Self.caseCount, "oracle.py printed \(cases.count) cases, expected \(Self.caseCount)")

        var disagreements: [String] = []
        var verdicts: [Bool: Int] = [:]
        var unknownEndpoints: Set<String> = []
        for item in cases {
            guard let judge = SeedInputs.judges[item.endpoint] else {
                unknownEndpoints.insert(item.endpoint)
                continue
            }
            let swift = judge(Data(item.inputText.utf8))
            verdicts[item.valid, default: 0] += 1
            if swift.valid != item.valid { disagreements.append(item.report(swift: swift)) }
        }
        #expect(unknownEndpoints.isEmpty, "oracle cases for endpoints FalSDK does not have: \(unknownEndpoints.sorted())")
        // Both verdicts must be well represented, or agreement says little.
        #expect(verdicts[true, default: 0] >= cases.count / 5, "only \(verdicts[true, default: 0]) valid cases")
        #expect(verdicts[false, default: 0] >= cases.count / 5, "only \(verdicts[false, default: 0]) invalid cases")
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

/// The seed endpoints' `Input` types by endpoint id.
enum SeedInputs {
    static let judges: [String: @Sendable (Data) -> SwiftVerdict] = Dictionary(
        uniqueKeysWithValues: [
            entry(IllusionDiffusion.self),
            entry(FluxDifferentialDiffusion.self),
            entry(LoraImageToImage.self),
            entry(FastSdxlImageToImage.self),
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
