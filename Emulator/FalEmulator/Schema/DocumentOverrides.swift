import Foundation
import Synchronization

/// OpenAPI documents served at `/api/openapi/queue/openapi.json` in place of the loaded ones, set with
/// `PUT /_emulator/openapi?endpoint_id=…`: how a test shows `fal-codegen update` a newer version of an
/// endpoint. Only what is served changes; requests are still validated against the loaded document.
/// Bounded: at most `maxDocuments`, `maxBytes` in all; the oldest replacement gives way.
final class DocumentOverrides: Sendable {
    static let maxDocuments = 256
    static let maxBytes = 64 << 20

    private struct State {
        var documents: [String: Data] = [:]
        var order: [String] = []
        var bytes = 0
    }

    private let state = Mutex(State())

    func document(_ id: String) -> Data? { state.withLock { $0.documents[id] } }

    var ids: [String] { state.withLock { $0.order } }

    func replace(_ id: String, with data: Data) {
        state.withLock { state in
            if let previous = state.documents.removeValue(forKey: id) {
                state.bytes -= previous.count
                state.order.removeAll { $0 == id }
            }
            state.documents[id] = data
            state.order.append(id)
            state.bytes += data.count
            while state.order.count > 1, state.order.count > Self.maxDocuments || state.bytes > Self.maxBytes {
                let evicted = state.order.removeFirst()
                state.bytes -= state.documents.removeValue(forKey: evicted)?.count ?? 0
            }
        }
    }

    /// Back to the loaded document; false when none was replaced.
    func remove(_ id: String) -> Bool {
        state.withLock { state in
            guard let previous = state.documents.removeValue(forKey: id) else { return false }
            state.bytes -= previous.count
            state.order.removeAll { $0 == id }
            return true
        }
    }

    func removeAll() { state.withLock { $0 = State() } }
}
