import FalCodegen
import FalCore
import Foundation

/// One fal endpoint the emulator serves: the generator's IR of its document (overlays applied), the
/// generator's validator for request bodies, and the document bytes as they are on disk.
struct EmulatedEndpoint: Sendable {
    let endpoint: Endpoint
    let validator: SchemaValidator
    /// Served back by `GET /api/openapi/queue/openapi.json?endpoint_id=…`.
    let documentData: Data
    /// The document's `info` (title, description, `x-fal-metadata`): what the Platform API's `/v1/models` reports.
    let info: JSONValue

    var id: String { endpoint.id }

    init(endpoint: Endpoint, documentData: Data) {
        self.endpoint = endpoint
        self.validator = SchemaValidator(endpoint: endpoint)
        self.documentData = documentData
        self.info = (try? JSONCoding.parse(documentData))?["info"] ?? .null
    }

    /// Every schema violation in a request body, phrased by FalCore's `Rule`s (as generated `validate()` does).
    func issues(in input: JSONValue) -> [ValidationIssue] { validator.validateInput(input) }
}
