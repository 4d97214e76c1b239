import Foundation

extension FalClient {
    /// Validates `input`, encodes it, uploads the files it holds as `Data` or local paths, and
    /// returns the JSON body with the storage URLs in place. Validation happens before any I/O.
    func prepareBody<Input: Encodable & Validatable>(_ input: Input) async throws(FalError) -> Data {
        try input.validate()
        let collector = FileUploadCollector()
        let json = try FalJSON.encode(input, collector: collector)
        let pending = collector.pending
        if pending.isEmpty { return json }
        let urls = try await uploadAll(pending)
        var text = String(decoding: json, as: UTF8.self)
        for (index, url) in urls.enumerated() {
            // Placeholders are whole JSON strings, so matching the quotes keeps `…://1` from hitting `…://10`.
            let placeholder = "\"\(FileUploadCollector.placeholderPrefix)\(index)\""
            text = text.replacingOccurrences(of: placeholder, with: String(decoding: try FalJSON.encode(url), as: UTF8.self))
        }
        return Data(text.utf8)
    }

    private func uploadAll(_ files: [FalFile]) async throws(FalError) -> [String] {
        let storage = self.storage
        do {
            return try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for (index, file) in files.enumerated() {
                    group.addTask { (index, try await storage.upload(file)) }
                }
                var urls = [String](repeating: "", count: files.count)
                for try await (index, url) in group { urls[index] = url }
                return urls
            }
        } catch {
            throw FalErrorMapping.error(from: error)
        }
    }
}

/// Runs `body`, reporting every failure as `FalError`.
func withFalErrors<T>(_ body: () async throws -> T) async throws(FalError) -> T {
    do {
        return try await body()
    } catch {
        throw FalErrorMapping.error(from: error)
    }
}
