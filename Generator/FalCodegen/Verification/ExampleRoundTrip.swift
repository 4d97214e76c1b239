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
        // The runtime decodes with the tape decoder: it must read the example exactly as JSONDecoder does.
        do {
            let text = try JSONEncoder().encode(example)
            let again = try JSONTapeDecoder().decode(decodable, from: text)
            guard let left = again as? AnyHashable, let right = input as? AnyHashable, left == right else {
                return "tape decode: differs from JSONDecoder's"
            }
        } catch {
            return "tape decode: \(error)"
        }
        let issues = input.validationIssues()
        if !issues.isEmpty { return "validate: " + issues.map(\.description).joined(separator: "; ") }
        do {
            let reencoded = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(input))
            if let difference = firstDifference(reencoded, example, at: .root) {
                return "re-encode: \(difference)"
            }
            // The runtime writes request bodies with the streaming encoder: the same JSON, member order aside.
            guard let streamed = try StreamingJSONEncoder().encode(input) else { return "streaming encode: not streamable" }
            if let difference = firstDifference(try JSONDecoder().decode(JSONValue.self, from: streamed), reencoded, at: .root) {
                return "streaming encode: \(difference)"
            }
        } catch {
            return "re-encode: \(error)"
        }
        return nil
    }

    /// Where two JSON values first differ, described with the field path.
    static func firstDifference(_ actual: JSONValue, _ expected: JSONValue, at path: FieldPath) -> String? {
        switch (actual, expected) {
        case (.object(let left), .object(let right)):
            for key in Set(left.keys).union(right.keys).sorted() {
                guard let leftValue = left[key] else { return "\(path.key(key)): dropped (was \(right[key]!.compactText.prefix(200)))" }
                guard let rightValue = right[key] else { return "\(path.key(key)): added \(leftValue.compactText.prefix(200))" }
                if let difference = firstDifference(leftValue, rightValue, at: path.key(key)) { return difference }
            }
            return nil
        case (.array(let left), .array(let right)) where left.count == right.count:
            for (position, pair) in zip(left, right).enumerated() {
                if let difference = firstDifference(pair.0, pair.1, at: path.index(position)) { return difference }
            }
            return nil
        default:
            return JSONValue.schemaEqual(actual, expected) ? nil
                : "\(path): became \(actual.compactText.prefix(200)), was \(expected.compactText.prefix(200))"
        }
    }
}
