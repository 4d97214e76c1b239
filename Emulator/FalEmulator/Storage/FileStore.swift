import Foundation
import Synchronization

/// Uploaded files, pending signed uploads, multipart uploads and issued CDN tokens. File bytes live on disk,
/// in a directory of the store's own (removed by `removeAll()` and when the store goes away), so memory stays
/// flat however much is uploaded. Disk use is bounded by `capacityBytes` (stored files plus parts of open
/// multipart uploads): the oldest files are evicted first, then the open uploads least recently added to.
final class FileStore: Sendable {
    /// A stored file: its bytes are the `segments` (files on disk) in order; a completed multipart upload
    /// keeps one segment per part instead of copying them into one file.
    struct StoredFile: Sendable {
        var segments: [String]
        var size: Int
        var contentType: String
        var fileName: String
        /// The upload's `X-Fal-Object-Lifecycle`, honoured on download.
        var lifecycle: ObjectLifecycle?
    }

    /// A `storage/upload/initiate` grant: the file the signed PUT will fill.
    struct PendingUpload: Sendable {
        var key: String
        var contentType: String
        var lifecycle: ObjectLifecycle?
    }

    /// A body spooled to disk.
    struct Spooled: Sendable {
        var path: String
        var size: Int
    }

    struct MultipartUpload: Sendable {
        var key: String
        var contentType: String
        var lifecycle: ObjectLifecycle?
        var parts: [Int: Spooled] = [:]
        var bytes = 0
        /// When it was opened or last got a part (`State.clock`), so eviction takes the most idle first.
        var touched: UInt64 = 0
    }

    private struct State {
        var files: [String: StoredFile] = [:]
        var order: [String] = []
        var bytes = 0
        var pending: [String: (upload: PendingUpload, granted: UInt64)] = [:]
        var multipart: [String: MultipartUpload] = [:]
        /// Orders grants and multipart activity (dictionaries have no order of their own).
        var clock: UInt64 = 0
        var tokens: [String: Date] = [:]
        var directoryReady = false
    }

    private let state = Mutex(State())
    let capacityBytes: Int
    /// Where file bytes are spooled; created on first use.
    let directory: URL
    /// Bound on the bookkeeping maps (grants, multipart sessions, tokens) so they cannot grow without limit.
    private let maxEntries = 10_000

    init(capacityBytes: Int, parentDirectory: URL = FileManager.default.temporaryDirectory) {
        self.capacityBytes = max(1, capacityBytes)
        directory = parentDirectory.appendingPathComponent("fal-emulator-files-\(UUID().uuidString)")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A fresh path in the store's directory for a body about to be spooled.
    func newSpoolPath() throws -> String {
        let ready = state.withLock { $0.directoryReady }
        if !ready {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            state.withLock { $0.directoryReady = true }
        }
        return directory.appendingPathComponent(UUID().uuidString).path
    }

    /// Stores a spooled body as the file at `key`, evicting the oldest files beyond the budget.
    func put(_ body: Spooled, contentType: String, fileName: String, key: String, lifecycle: ObjectLifecycle? = nil) {
        let file = StoredFile(segments: [body.path], size: body.size, contentType: contentType, fileName: fileName, lifecycle: lifecycle)
        let doomed = state.withLock { state in
            state.bytes += body.size
            return insert(file, key: key, into: &state)
        }
        remove(doomed)
    }

    /// Adds an already-counted file under `key`; returns the paths that are no longer referenced.
    private func insert(_ file: StoredFile, key: String, into state: inout State) -> [String] {
        var doomed: [String] = []
        if let previous = state.files.removeValue(forKey: key) {
            state.bytes -= previous.size
            state.order.removeAll { $0 == key }
            doomed += previous.segments
        }
        state.files[key] = file
        state.order.append(key)
        return doomed + evict(&state, keepNewest: true)
    }

    /// Removes the oldest files until the budget holds (sparing the newest file when `keepNewest`).
    private func evict(_ state: inout State, keepNewest: Bool) -> [String] {
        var doomed: [String] = []
        while state.bytes > capacityBytes, state.order.count > (keepNewest ? 1 : 0) {
            let evicted = state.order.removeFirst()
            if let file = state.files.removeValue(forKey: evicted) {
                state.bytes -= file.size
                doomed += file.segments
            }
        }
        return doomed
    }

    private func remove(_ paths: [String]) {
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }

    func file(_ key: String) -> StoredFile? { state.withLock { $0.files[key] } }

    /// Removes the file at `key` and its bytes on disk; false when there is none.
    func delete(_ key: String) -> Bool {
        let doomed = state.withLock { state -> [String]? in
            guard let file = state.files.removeValue(forKey: key) else { return nil }
            state.order.removeAll { $0 == key }
            state.bytes -= file.size
            return file.segments
        }
        guard let doomed else { return false }
        remove(doomed)
        return true
    }

    var storedBytes: Int { state.withLock { $0.bytes } }

    // MARK: Signed uploads (initiate + PUT)

    func grant(_ upload: PendingUpload) -> String {
        let token = Identifiers.token()
        state.withLock { state in
            if state.pending.count >= maxEntries, let oldest = state.pending.min(by: { $0.value.granted < $1.value.granted })?.key {
                state.pending[oldest] = nil
            }
            state.clock += 1
            state.pending[token] = (upload, state.clock)
        }
        return token
    }

    func redeem(_ token: String) -> PendingUpload? { state.withLock { $0.pending.removeValue(forKey: token)?.upload } }

    // MARK: Multipart

    func beginMultipart(key: String, contentType: String, lifecycle: ObjectLifecycle? = nil) -> String {
        let id = Identifiers.token()
        let doomed = state.withLock { state -> [String] in
            let doomed = state.multipart.count >= maxEntries ? dropIdlestMultipart(except: nil, from: &state) : []
            state.clock += 1
            state.multipart[id] = MultipartUpload(key: key, contentType: contentType, lifecycle: lifecycle, touched: state.clock)
            return doomed
        }
        remove(doomed)
        return id
    }

    enum PartResult { case stored, unknownUpload, wrongFile, tooLarge }

    /// Whether a part for this upload would be accepted, checked before its body is read.
    func checkMultipart(uploadID: String, key: String) -> PartResult {
        state.withLock { state in
            guard let upload = state.multipart[uploadID] else { return .unknownUpload }
            return upload.key == key ? .stored : .wrongFile
        }
    }

    /// Records a spooled part; the part's file is removed when it is refused or replaced.
    func addPart(uploadID: String, key: String, number: Int, body: Spooled) -> PartResult {
        var doomed: [String] = []
        let result = state.withLock { state -> PartResult in
            guard var upload = state.multipart[uploadID] else { return .unknownUpload }
            guard upload.key == key else { return .wrongFile }
            let replaced = upload.parts[number]
            guard upload.bytes - (replaced?.size ?? 0) + body.size <= capacityBytes else { return .tooLarge }
            if let replaced { doomed.append(replaced.path) }
            upload.parts[number] = body
            upload.bytes += body.size - (replaced?.size ?? 0)
            state.clock += 1
            upload.touched = state.clock
            state.bytes += body.size - (replaced?.size ?? 0)
            state.multipart[uploadID] = upload
            doomed += evict(&state, keepNewest: false)
            // Still over with every stored file gone: the other open uploads give way, most idle first.
            while state.bytes > capacityBytes, state.multipart.count > 1 {
                doomed += dropIdlestMultipart(except: uploadID, from: &state)
            }
            return .stored
        }
        if result != .stored { doomed.append(body.path) }
        remove(doomed)
        return result
    }

    /// Forgets the open multipart upload least recently added to (other than `except`); returns its part files.
    private func dropIdlestMultipart(except kept: String?, from state: inout State) -> [String] {
        guard let idlest = state.multipart.lazy.filter({ $0.key != kept }).min(by: { $0.value.touched < $1.value.touched })?.key,
              let dropped = state.multipart.removeValue(forKey: idlest)
        else { return [] }
        state.bytes -= dropped.bytes
        return dropped.parts.values.map(\.path)
    }

    /// Stores the listed parts, in order, as the file at `key` (without copying them); false when the upload
    /// is unknown, for another file, or a listed part is missing.
    func completeMultipart(uploadID: String, key: String, partNumbers: [Int], fileName: String) -> Bool {
        let doomed = state.withLock { state -> [String]? in
            guard let upload = state.multipart[uploadID], upload.key == key,
                !partNumbers.isEmpty, partNumbers.allSatisfy({ upload.parts[$0] != nil })
            else { return nil }
            state.multipart[uploadID] = nil
            let listed = Set(partNumbers)
            let unlisted = upload.parts.filter { !listed.contains($0.key) }.map(\.value)
            state.bytes -= unlisted.reduce(0) { $0 + $1.size }
            let segments = partNumbers.map { upload.parts[$0]! }
            let file = StoredFile(
                segments: segments.map(\.path), size: segments.reduce(0) { $0 + $1.size }, contentType: upload.contentType, fileName: fileName,
                lifecycle: upload.lifecycle)
            return unlisted.map(\.path) + insert(file, key: key, into: &state)
        }
        guard let doomed else { return false }
        remove(doomed)
        return true
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

    /// Forgets everything and deletes the store's directory (recreated on the next upload).
    func removeAll() {
        state.withLock { $0 = State() }
        try? FileManager.default.removeItem(at: directory)
    }
}
