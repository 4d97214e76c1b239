import Foundation
import Synchronization

/// Uploaded files, pending signed uploads, multipart uploads and issued CDN tokens. Bounded by total bytes:
/// the oldest files are evicted first, so memory stays flat however much is uploaded.
final class FileStore: Sendable {
    struct StoredFile: Sendable {
        var data: Data
        var contentType: String
        var fileName: String
    }

    /// A `storage/upload/initiate` grant: the file the signed PUT will fill.
    struct PendingUpload: Sendable {
        var key: String
        var contentType: String
    }

    struct MultipartUpload: Sendable {
        var key: String
        var contentType: String
        var parts: [Int: Data] = [:]
        var bytes = 0
    }

    private struct State {
        var files: [String: StoredFile] = [:]
        var order: [String] = []
        var bytes = 0
        var pending: [String: PendingUpload] = [:]
        var multipart: [String: MultipartUpload] = [:]
        var tokens: [String: Date] = [:]
    }

    private let state = Mutex(State())
    let capacityBytes: Int
    /// Bound on the bookkeeping maps (grants, multipart sessions, tokens) so they cannot grow without limit.
    private let maxEntries = 10_000

    init(capacityBytes: Int) { self.capacityBytes = max(1, capacityBytes) }

    func put(_ file: StoredFile, key: String) {
        state.withLock { state in
            if let previous = state.files[key] {
                state.bytes -= previous.data.count
                state.order.removeAll { $0 == key }
            }
            state.files[key] = file
            state.order.append(key)
            state.bytes += file.data.count
            while state.bytes > capacityBytes, state.order.count > 1 {
                let evicted = state.order.removeFirst()
                state.bytes -= state.files.removeValue(forKey: evicted)?.data.count ?? 0
            }
        }
    }

    func file(_ key: String) -> StoredFile? { state.withLock { $0.files[key] } }

    var storedBytes: Int { state.withLock { $0.bytes } }

    // MARK: Signed uploads (initiate + PUT)

    func grant(_ upload: PendingUpload) -> String {
        let token = Identifiers.token()
        state.withLock { state in
            if state.pending.count >= maxEntries, let first = state.pending.keys.first { state.pending[first] = nil }
            state.pending[token] = upload
        }
        return token
    }

    func redeem(_ token: String) -> PendingUpload? { state.withLock { $0.pending.removeValue(forKey: token) } }

    // MARK: Multipart

    func beginMultipart(key: String, contentType: String) -> String {
        let id = Identifiers.token()
        state.withLock { state in
            if state.multipart.count >= maxEntries, let first = state.multipart.keys.first { state.multipart[first] = nil }
            state.multipart[id] = MultipartUpload(key: key, contentType: contentType)
        }
        return id
    }

    enum PartResult { case stored, unknownUpload, wrongFile, tooLarge }

    func addPart(uploadID: String, key: String, number: Int, data: Data) -> PartResult {
        state.withLock { state in
            guard var upload = state.multipart[uploadID] else { return .unknownUpload }
            guard upload.key == key else { return .wrongFile }
            let replaced = upload.parts[number]?.count ?? 0
            guard upload.bytes - replaced + data.count <= capacityBytes else { return .tooLarge }
            upload.parts[number] = data
            upload.bytes += data.count - replaced
            state.multipart[uploadID] = upload
            return .stored
        }
    }

    /// Joins the listed parts in order; nil when the upload is unknown, for another file, or a part is missing.
    func completeMultipart(uploadID: String, key: String, partNumbers: [Int]) -> MultipartUpload? {
        let upload: MultipartUpload? = state.withLock { state in
            guard let upload = state.multipart[uploadID], upload.key == key,
                !partNumbers.isEmpty, partNumbers.allSatisfy({ upload.parts[$0] != nil })
            else { return nil }
            state.multipart[uploadID] = nil
            return upload
        }
        return upload
    }

    // MARK: CDN tokens

    func issueToken(validFor interval: TimeInterval) -> (token: String, expires: Date) {
        let token = Identifiers.token()
        let expires = Date().addingTimeInterval(interval)
        state.withLock { state in
            let now = Date()
            state.tokens = state.tokens.filter { $0.value > now }
            if state.tokens.count >= maxEntries, let first = state.tokens.keys.first { state.tokens[first] = nil }
            state.tokens[token] = expires
        }
        return (token, expires)
    }

    func isValidToken(_ token: String) -> Bool {
        state.withLock { state in state.tokens[token].map { $0 > Date() } ?? false }
    }

    func removeAll() { state.withLock { $0 = State() } }
}
