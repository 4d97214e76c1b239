import Foundation
import Logging

/// fal's CDN v3 multipart upload: create, PUT parts in parallel (each streamed from its file range),
/// complete with the parts' ETags. With libcurl, memory stays at its buffers regardless of file size; with
/// URLSession, at the parts in flight.
struct MultipartUpload: Sendable {
    let client: FalClient
    let source: UploadSource
    let contentType: String
    let fileName: String
    /// `X-Fal-Object-Lifecycle`, sent when the upload is created.
    var lifecycle: String?

    func run() async throws(FalError) -> String {
        let configuration = client.configuration
        let (accessURL, uploadID) = try await client.withCDNToken { (token) async throws(FalError) -> (String, String) in
            var create = FalRequest(method: "POST", url: "\(token.baseURL)/files/upload/multipart", authorization: .bearer(token.authorization))
            create.headers.set("Content-Type", contentType)
            create.headers.set("Accept", "application/json")
            create.headers.set("X-Fal-File-Name", fileName)
            if let lifecycle { create.headers.set(FalStorageLifecycle.headerName, lifecycle) }
            let created = try await client.send(create).body
            return (try FalStorage.string("access_url", in: created), try FalStorage.string("uploadId", in: created))
        }

        let chunk = configuration.multipartChunkSize
        // A transport that holds each part in memory while sending it (URLSession) keeps fewer in flight.
        let concurrency = min(configuration.multipartConcurrency, client.transport.maximumConcurrentPartUploads ?? .max)
        let partCount = Int((source.size + chunk - 1) / chunk)
        let base = "\(accessURL)/multipart/\(FalClient.percentEncoded(uploadID))"
        client.logger?.debug("multipart upload started", metadata: [
            "fal.bytes": "\(source.size)", "fal.parts": "\(partCount)", "fal.part_bytes": "\(chunk)", "fal.concurrency": "\(concurrency)"])
        let etags = try await withFalErrors {
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var next = 1
                var etags = [Int: String]()
                func addPart(_ number: Int) {
                    group.addTask {
                        let offset = Int64(number - 1) * chunk
                        let length = min(chunk, source.size - offset)
                        let etag = try await uploadPart(number, url: "\(base)/\(number)", offset: offset, length: length)
                        client.logger?.debug("multipart part uploaded", metadata: ["fal.part": "\(number)/\(partCount)", "fal.bytes": "\(length)"])
                        return (number, etag)
                    }
                }
                while next <= min(partCount, concurrency) { addPart(next); next += 1 }
                while let (number, etag) = try await group.next() {
                    etags[number] = etag
                    if next <= partCount { addPart(next); next += 1 }
                }
                return etags
            }
        }
        let parts: [JSONValue] = (1...max(partCount, 1)).compactMap { number in
            etags[number].map { .object(["partNumber": .int(number), "etag": .string($0)]) }
        }
        let completion = try FalJSON.encode(JSONValue.object(["parts": .array(parts)]))
        try await client.withCDNToken { (token) async throws(FalError) in
            var complete = FalRequest(method: "POST", url: "\(base)/complete", body: .data(completion), authorization: .bearer(token.authorization))
            complete.headers.set("Content-Type", "application/json")
            _ = try await client.send(complete)
        }
        client.logger?.debug("multipart upload completed", metadata: ["fal.parts": "\(partCount)", "fal.url": "\(accessURL)"])
        return accessURL
    }

    private func uploadPart(_ number: Int, url: String, offset: Int64, length: Int64) async throws -> String {
        try await client.withCDNToken { (token) async throws(FalError) -> String in
            var request = FalRequest(method: "PUT", url: url, body: source.body(offset: offset, length: length), authorization: .bearer(token.authorization))
            request.headers.set("Content-Type", contentType)
            request.headers.set("Accept-Encoding", "identity")  // keeps the ETag header intact
            request.timeout = .some(nil)
            let response = try await client.send(request)
            guard let etag = response.headers["ETag"] else {
                throw FalError.decoding(path: "etag", message: "part \(number) answer has no ETag header")
            }
            return etag
        }
    }
}
