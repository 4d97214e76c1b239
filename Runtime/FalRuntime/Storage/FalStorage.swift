import Foundation
import Logging

/// fal's file storage. Uploads go to the CDN v3 (`POST {base_url}/files/upload` with a storage token),
/// fall back to `POST {rest}/storage/upload/initiate` + `PUT` on the signed URL, and use multipart
/// upload with parallel parts at or above `multipartThreshold`. Files stream from disk in constant memory.
/// The fal key goes only to the rest host; the CDN gets the storage token; signed URLs get neither.
/// In proxy mode (`FalConfiguration.proxyURL`) the client holds neither: uploads go to the CDN host through
/// the proxy, which adds a storage token it fetched with the key (`FalProxy`).
public struct FalStorage: Sendable {
    let client: FalClient

    /// Uploads bytes and returns their URL. `lifecycle` sets how long fal keeps the file and who may read it.
    public func upload(
        _ data: Data, contentType: String = "application/octet-stream", fileName: String? = nil, lifecycle: FalStorageLifecycle? = nil
    ) async throws(FalError) -> String {
        try await upload(.data(data), contentType: contentType, fileName: fileName, lifecycle: lifecycle)
    }

    /// Uploads a local file, streaming it from disk, and returns its URL. `lifecycle` sets how long fal keeps the
    /// file and who may read it.
    public func upload(fileAt path: String, contentType: String? = nil, lifecycle: FalStorageLifecycle? = nil) async throws(FalError) -> String {
        let source = try UploadSource.file(at: path)
        return try await upload(
            source, contentType: contentType ?? ContentTypes.forPath(path), fileName: (path as NSString).lastPathComponent, lifecycle: lifecycle)
    }

    /// The URL fal can fetch `file` from, uploading it first when it is bytes or a local file.
    public func upload(_ file: FalFile, lifecycle: FalStorageLifecycle? = nil) async throws(FalError) -> String {
        switch file {
        case .url(let url): return url
        case .data(let data, let contentType, let fileName):
            return try await upload(data, contentType: contentType, fileName: fileName, lifecycle: lifecycle)
        case .localFile(let path, let contentType): return try await upload(fileAt: path, contentType: contentType, lifecycle: lifecycle)
        }
    }

    func upload(_ source: UploadSource, contentType: String, fileName: String?, lifecycle: FalStorageLifecycle? = nil) async throws(FalError) -> String {
        guard HTTPHeaders.isValidValue(contentType) else {
            throw FalError.validation([ValidationIssue(path: FieldPath("contentType"), message: "must not contain CR, LF or NUL")])
        }
        let lifecycle = try lifecycle?.headerValue()
        let fileName = fileName.map(Self.sanitizedFileName)
        let configuration = client.configuration
        if source.size >= configuration.multipartThreshold {
            return try await MultipartUpload(
                client: client, source: source, contentType: contentType, fileName: fileName ?? "upload.bin", lifecycle: lifecycle).run()
        }
        client.logger?.debug("uploading", metadata: ["fal.bytes": "\(source.size)", "fal.content_type": "\(contentType)"])
        do {
            return try await uploadToCDN(source, contentType: contentType, fileName: fileName, lifecycle: lifecycle)
        } catch {
            if case .cancelled = error { throw error }
            client.logger?.notice("CDN upload failed, falling back to initiate + PUT", metadata: ["fal.reason": "\(error)"])
            return try await uploadThroughInitiate(source, contentType: contentType, fileName: fileName, lifecycle: lifecycle)
        }
    }

    private func uploadToCDN(_ source: UploadSource, contentType: String, fileName: String?, lifecycle: String?) async throws(FalError) -> String {
        try await client.withCDNToken { (token) async throws(FalError) -> String in
            var request = FalRequest(method: "POST", url: "\(token.baseURL)/files/upload", body: source.body, authorization: .bearer(token.authorization))
            request.headers.set("Content-Type", contentType)
            request.headers.set("Accept", "application/json")
            if let fileName { request.headers.set("X-Fal-File-Name", fileName) }
            if let lifecycle { request.headers.set(FalStorageLifecycle.headerName, lifecycle) }
            request.timeout = .some(nil)
            let response = try await client.send(request)
            return try Self.string("access_url", in: response.body)
        }
    }

    private func uploadThroughInitiate(
        _ source: UploadSource, contentType: String, fileName: String?, lifecycle: String?
    ) async throws(FalError) -> String {
        let payload = try FalJSON.encode(["file_name": fileName ?? "upload.bin", "content_type": contentType])
        var initiate = FalRequest(
            method: "POST", url: "\(client.configuration.hosts.rest)/storage/upload/initiate?storage_type=gcs", body: .data(payload))
        initiate.headers.set("Content-Type", "application/json")
        initiate.headers.set("Accept", "application/json")
        if let lifecycle { initiate.headers.set(FalStorageLifecycle.headerName, lifecycle) }
        let answer = try await client.send(initiate).body
        let uploadURL = try Self.string("upload_url", in: answer)
        let fileURL = try Self.string("file_url", in: answer)
        // The signed upload URL belongs to a storage provider: it gets no credentials at all.
        var put = FalRequest(method: "PUT", url: uploadURL, body: source.body, authorization: .none)
        put.headers.set("Content-Type", contentType)
        put.timeout = .some(nil)
        _ = try await client.send(put)
        return fileURL
    }

    /// A file name fit for the `X-Fal-File-Name` header: local names may hold any byte but `/` and NUL on
    /// Linux, including CR and LF, so control characters become `_` (the upload goes on; only the label
    /// changes). Empty names become `upload.bin`.
    static func sanitizedFileName(_ name: String) -> String {
        let cleaned = String(String.UnicodeScalarView(name.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "_" : $0 }))
        return cleaned.isEmpty ? "upload.bin" : cleaned
    }

    static func string(_ key: String, in body: Data) throws(FalError) -> String {
        guard let value = try FalJSON.decode(JSONValue.self, from: body)[key]?.stringValue else {
            throw FalError.decoding(path: key, message: "missing string '\(key)' in storage answer")
        }
        return value
    }
}
