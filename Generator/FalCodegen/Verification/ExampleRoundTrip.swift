import FalCore
import Foundation

/// Checks a documented example against generated code: decode into the endpoint's `Input`, `validate()`,
/// re-encode, and compare with the example as JSON (`1` equals `1.0`, key order ignored).
/// Used by the tests and by `make corpus`, so both judge generated code the same way.
public enum ExampleRoundTrip {
    /// nil when the example round-trips; otherwise which step failed and why.
    public static func check(_ endpoint: any FalEndpoint.Type, _ example: JSONValue) -> String? {
        opened(endpoint, example)
    }

    private static func opened<Endpoint: FalEndpoint>(_ endpoint: Endpoint.Type, _ example: JSONValue) -> String? {
        check(Endpoint.Input.self, example)
    }

    private static func check<Input: FalInput>(_ type: Input.Type, _ example: JSONValue) -> String? {
        guard let decodable = type as? any Decodable.Type else { return "Input is not Decodable" }
        let decoded: Any
        do {
            decoded = try JSONDecoder().decode(decodable, from: try JSONEncoder().encode(example))
        } catch {
            return "decode: \(error)"
        }
        guard let input = decoded as? Input else { return "decode: produced \(Swift.type(of: decoded))" }
        let issues = input.validationIssues()
        if !issues.isEmpty { return "validate: " + issues.map(\.description).joined(separator: "; ") }
        do {
            let reencoded = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(input))
            if !JSONValue.schemaEqual(reencoded, example) {
                return "re-encode: \(reencoded.compactText) differs from \(example.compactText)"
            }
        } catch {
            return "re-encode: \(error)"
        }
        return nil
    }
}
