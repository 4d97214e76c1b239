import FalCore
import Foundation

/// The rules every JSON request body passes before a route sees it, apart from the HTTP server so the
/// body fuzz target (`make fuzz`) exercises exactly what the emulator runs.
enum JSONBodyParser {
    /// Why a body was refused; `BodyReader` turns each into fal's answer.
    enum Refusal: Error, Equatable {
        /// No body, or only whitespace: fal (FastAPI) answers 422 with `{"loc": ["body"], "type": "missing"}`.
        case missing
        /// Bytes that are not JSON (400), with the parser's explanation (what, and at which byte).
        case malformed(String)
        /// JSON that is not an object (422, fal's shape).
        case notAnObject(ValidationIssue)
    }

    static func parse(_ data: Data) -> Result<JSONBody, Refusal> {
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return .failure(.missing) }
        let value: JSONValue
        do {
            value = try JSONCoding.parse(data)
        } catch {
            return .failure(.malformed(error.reason))
        }
        guard value.objectValue != nil else {
            return .failure(.notAnObject(ValidationIssue(path: .root, message: "expected object, got \(value.schemaTypeName)")))
        }
        return .success(JSONBody(value: value, size: data.count))
    }

    /// The issue a missing body is reported with (`loc: ["body"]`, `type: "missing"`).
    static let missingBody = ValidationIssue(path: .root, message: "is required")
}

/// A parsed JSON body and how many bytes it took.
struct JSONBody: Sendable {
    var value: JSONValue
    var size: Int
}
