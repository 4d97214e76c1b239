import FalCodegen
import FalCore
import Foundation

/// Connects the catalog to the generator's schema model (FalCodegen's document loader and
/// `SchemaValidator`), which lands on `main` with the generator's IR milestone.
enum SchemaValidation {
    static func validator(documentData: Data, source: URL?, overlays: URL?, endpointID: String) throws(EmulatorError) -> any InputValidating {
        AwaitingGeneratorModel()
    }
}

/// Until FalCodegen's validator is merged, request bodies are not schema-checked (the emulator never
/// grows a second validator). Replaced in the merge that brings the generator's IR.
private struct AwaitingGeneratorModel: InputValidating {
    func issues(in input: JSONValue) -> [ValidationIssue] { [] }
}
