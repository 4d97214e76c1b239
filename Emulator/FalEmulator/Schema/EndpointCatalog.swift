import FalCodegen
import FalCore
import Foundation
import Synchronization

/// The endpoints the emulator serves, loaded by the generator's document loader (`schemas/` by default,
/// with `schemas/overlays` applied), so the emulator and the generated SDK read the same model.
struct EndpointCatalog: Sendable {
    private(set) var endpoints: [String: EmulatedEndpoint] = [:]

    init(endpoints: [EmulatedEndpoint]) {
        for endpoint in endpoints { self.endpoints[endpoint.id] = endpoint }
    }

    func endpoint(_ id: String) -> EmulatedEndpoint? { endpoints[id] }

    var ids: [String] { endpoints.keys.sorted() }

    /// Loaded catalogs by directory contents: parsing documents is the slow part of starting an emulator,
    /// and tests start many. The key includes every file's name, size and modification date.
    private static let cache = Mutex<[String: EndpointCatalog]>([:])

    static func load(directory: URL, overlays: URL?) throws(EmulatorError) -> EndpointCatalog {
        let key = fingerprint(directory) + "|" + (overlays.map(fingerprint) ?? "")
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let catalog = try parse(directory: directory, overlays: overlays)
        cache.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[key] = catalog
        }
        return catalog
    }

    private static func fingerprint(_ directory: URL) -> String {
        let manager = FileManager.default
        let names = ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        return directory.standardizedFileURL.path + ":" + names.map { name in
            let attributes = try? manager.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(name)/\(size)/\(modified)"
        }.joined(separator: ",")
    }

    private static func parse(directory: URL, overlays: URL?) throws(EmulatorError) -> EndpointCatalog {
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
