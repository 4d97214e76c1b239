import FalCodegen
import FalCore
import Foundation

/// The endpoints the emulator serves, loaded by the generator's document loader (`schemas/` by default,
/// with `schemas/overlays` applied), so the emulator and the generated SDK read the same model.
struct EndpointCatalog: Sendable {
    private(set) var endpoints: [String: EmulatedEndpoint] = [:]

    init(endpoints: [EmulatedEndpoint]) {
        for endpoint in endpoints { self.endpoints[endpoint.id] = endpoint }
    }

    func endpoint(_ id: String) -> EmulatedEndpoint? { endpoints[id] }

    var ids: [String] { endpoints.keys.sorted() }

    static func load(directory: URL, overlays: URL?) throws(EmulatorError) -> EndpointCatalog {
        let documents: [LoadedDocument]
        do {
            documents = try Generator.load(documents: [directory.path], overlaysDirectory: overlays?.path)
        } catch {
            throw .configuration("cannot load schemas from \(directory.path): \(error)")
        }
        var endpoints: [EmulatedEndpoint] = []
        for document in documents {
            guard let data = FileManager.default.contents(atPath: document.endpoint.source) else {
                throw .configuration("cannot read \(document.endpoint.source)")
            }
            endpoints.append(EmulatedEndpoint(endpoint: document.endpoint, documentData: data))
        }
        return EndpointCatalog(endpoints: endpoints)
    }
}
