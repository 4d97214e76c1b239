import FalCore
import Foundation
import HTTPTypes
import Hummingbird

/// rest.fal.ai storage (CDN token, signed-upload initiate) and v3.fal.media (direct and multipart uploads,
/// file downloads). Every URL returned points back at the emulator's `/cdn` prefix.
struct StorageRoutes: Sendable {
    let state: EmulatorState

    static let fileNameHeader = HTTPField.Name("X-Fal-File-Name")!
    static let tokenLifetime: TimeInterval = 3600

    // MARK: rest.fal.ai

    /// `GET|POST /rest/storage/auth/token?storage_type=fal-cdn-v3` → `{token, token_type, base_url, expires_at}`.
    func token() -> Response {
        let (token, expires) = state.files.issueToken(validFor: Self.tokenLifetime)
        return Reply.json([
            "token": .string(token),
            "token_type": "Bearer",
            "base_url": .string(state.cdnBase),
            // Offset form (`+00:00`), which Python's `datetime.fromisoformat` parses on every version.
            "expires_at": .string(Date.ISO8601FormatStyle(includingFractionalSeconds: false).format(expires).replacingOccurrences(of: "Z", with: "+00:00")),
        ])
    }

    /// `POST /rest/storage/upload/initiate?storage_type=…` with `{file_name, content_type}` →
    /// `{upload_url, file_url}`; the client then PUTs the bytes to `upload_url`.
    func initiate(_ request: Request) async -> Response {
        let body: JSONValue
        switch await BodyReader.jsonObject(request, limit: state.configuration.maxJSONBodyBytes) {
        case .success(let parsed): body = parsed.value
        case .failure(let error): return error.response
        }
        let contentType = body["content_type"]?.stringValue ?? "application/octet-stream"
        let key = Self.newKey(fileName: body["file_name"]?.stringValue)
        let token = state.files.grant(.init(key: key, contentType: contentType))
        return Reply.json([
            "upload_url": .string("\(state.cdnBase)/uploads/\(token)"),
            "file_url": .string(fileURL(key)),
        ])
    }

    // MARK: v3.fal.media

    /// `PUT /cdn/uploads/{token}`: the signed upload URL from `initiate`; the token is the credential.
    func signedPut(_ request: Request, token: String) async -> Response {
        guard let grant = state.files.redeem(token) else {
            return Reply.detail("Upload URL is unknown or already used", status: .forbidden)
        }
        switch await BodyReader.bytes(request, limit: state.configuration.maxUploadBytes) {
        case .failure(let error): return error.response
        case .success(let data):
            state.files.put(.init(data: data, contentType: request.headers[.contentType] ?? grant.contentType, fileName: Self.name(of: grant.key)), key: grant.key)
            return Response(status: .ok)
        }
    }

    /// `POST /cdn/files/upload`: the body is the file; `Content-Type` and `X-Fal-File-Name` describe it.
    func upload(_ request: Request) async -> Response {
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let key = Self.newKey(fileName: request.headers[Self.fileNameHeader])
        switch await BodyReader.bytes(request, limit: state.configuration.maxUploadBytes) {
        case .failure(let error): return error.response
        case .success(let data):
            state.files.put(.init(data: data, contentType: contentType, fileName: Self.name(of: key)), key: key)
            return Reply.json([
                "access_url": .string(fileURL(key)), "content_type": .string(contentType),
                "file_name": .string(Self.name(of: key)), "file_size": .int(data.count),
            ])
        }
    }

    /// `POST /cdn/files/upload/multipart` → `{access_url, uploadId}`.
    func beginMultipart(_ request: Request) -> Response {
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let key = Self.newKey(fileName: request.headers[Self.fileNameHeader])
        let uploadID = state.files.beginMultipart(key: key, contentType: contentType)
        return Reply.json(["access_url": .string(fileURL(key)), "uploadId": .string(uploadID)])
    }

    /// `PUT {access_url}/multipart/{uploadId}/{partNumber}` → 200 with an `ETag`.
    func uploadPart(_ request: Request, key: String, uploadID: String, part: String) async -> Response {
        guard let number = Int(part), (1...10_000).contains(number) else {
            return Reply.detail("Part number must be an integer from 1 to 10000", status: .badRequest)
        }
        switch await BodyReader.bytes(request, limit: state.configuration.maxUploadBytes) {
        case .failure(let error): return error.response
        case .success(let data):
            switch state.files.addPart(uploadID: uploadID, key: key, number: number, data: data) {
            case .stored:
                let etag = "\"\(String(SeededRandom.stableHash(data), radix: 16))\""
                return Response(status: .ok, headers: [.eTag: etag])
            case .unknownUpload, .wrongFile:
                return Reply.detail("Multipart upload \(uploadID) not found for this file", status: .notFound)
            case .tooLarge:
                return Reply.detail("Multipart upload exceeds the storage limit", status: .contentTooLarge)
            }
        }
    }

    /// `POST {access_url}/multipart/{uploadId}/complete` with `{parts: [{partNumber, etag}]}`.
    func completeMultipart(_ request: Request, key: String, uploadID: String) async -> Response {
        let body: JSONValue
        switch await BodyReader.jsonObject(request, limit: state.configuration.maxJSONBodyBytes) {
        case .success(let parsed): body = parsed.value
        case .failure(let error): return error.response
        }
        let numbers = (body["parts"]?.arrayValue ?? []).compactMap { $0["partNumber"]?.number.map { Int($0) } }.sorted()
        guard let upload = state.files.completeMultipart(uploadID: uploadID, key: key, partNumbers: numbers) else {
            return Reply.detail("Multipart upload \(uploadID) is unknown or a listed part is missing", status: .badRequest)
        }
        var data = Data(capacity: upload.bytes)
        for number in numbers { data.append(upload.parts[number]!) }
        state.files.put(.init(data: data, contentType: upload.contentType, fileName: Self.name(of: key)), key: key)
        return Reply.json(["access_url": .string(fileURL(key))])
    }

    /// `GET /cdn/files/{key}/{name}`: an uploaded file, or `generated/{name}.png` rendered on demand.
    func download(key: String) -> Response {
        if key.hasPrefix("generated/"), let image = GeneratedImage(fileName: String(key.dropFirst("generated/".count))) {
            // Streamed piece by piece with its exact length known up front: constant memory at any size.
            return Response(
                status: .ok,
                headers: [.contentType: "image/png", .contentLength: String(image.byteCount), .cacheControl: "public, max-age=31536000, immutable"],
                body: .init(contentLength: image.byteCount) { writer in
                    var encoder = image.encoder()
                    while let piece = encoder.next() { try await writer.write(ByteBuffer(bytes: piece)) }
                    try await writer.finish(nil)
                })
        }
        guard let file = state.files.file(key) else { return Reply.detail("File not found", status: .notFound) }
        return Reply.bytes(file.data, contentType: file.contentType)
    }

    // MARK: Helpers

    func fileURL(_ key: String) -> String { "\(state.cdnBase)/files/\(key)" }

    /// `<random>/<sanitised name>`, like fal's CDN paths; the name keeps its extension.
    static func newKey(fileName: String?) -> String {
        let cleaned = (fileName ?? "upload.bin").split(separator: "/").last.map(String.init) ?? "upload.bin"
        let safe = String(cleaned.unicodeScalars.map { scalar -> Character in
            CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "-" || scalar == "_" ? Character(scalar) : "_"
        }.prefix(128))
        return "\(Identifiers.fileKey())/\(safe.isEmpty ? "upload.bin" : safe)"
    }

    static func name(of key: String) -> String { key.split(separator: "/").last.map(String.init) ?? key }
}
