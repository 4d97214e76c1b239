import Foundation
@testable import FalCodegen

/// Paths relative to the package root, found from this file's location.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The four seed documents with their overlays applied, as the generator sees them.
    static func seed(_ baseName: String) throws -> Endpoint {
        let overlayPath = path("schemas/overlays/\(baseName).overlay.json")
        var overlays: [Overlay] = []
        if FileManager.default.fileExists(atPath: overlayPath) {
            overlays = [try Overlay(json: OrderedJSONReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: overlayPath)))), source: overlayPath)]
        }
        return try DocumentLoader.load(file: path("schemas/\(baseName).json"), overlays: overlays).endpoint
    }
}

func json(_ text: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}
