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
        let lifecycle: ObjectLifecycle?
        switch ObjectLifecycle.from(request) {
        case .success(let value): lifecycle = value
        case .failure(let error): return error.response
        }
        let contentType = body["content_type"]?.stringValue ?? "application/octet-stream"
        let key = Self.newKey(fileName: body["file_name"]?.stringValue)
        let token = state.files.grant(.init(key: key, contentType: contentType, lifecycle: lifecycle))
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
        switch await spool(request) {
        case .failure(let error): return error.response
        case .success(let body):
            state.files.put(
                body, contentType: request.headers[.contentType] ?? grant.contentType, fileName: Self.name(of: grant.key), key: grant.key,
                lifecycle: grant.lifecycle)
            return Response(status: .ok)
        }
    }

    /// `POST /cdn/files/upload`: the body is the file; `Content-Type` and `X-Fal-File-Name` describe it.
    func upload(_ request: Request) async -> Response {
        let lifecycle: ObjectLifecycle?
        switch ObjectLifecycle.from(request) {
        case .success(let value): lifecycle = value
        case .failure(let error): return error.response
        }
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let key = Self.newKey(fileName: request.headers[Self.fileNameHeader])
        switch await spool(request) {
        case .failure(let error): return error.response
        case .success(let body):
            state.files.put(body, contentType: contentType, fileName: Self.name(of: key), key: key, lifecycle: lifecycle)
            return Reply.json([
                "access_url": .string(fileURL(key)), "content_type": .string(contentType),
                "file_name": .string(Self.name(of: key)), "file_size": .int(body.size),
            ])
        }
    }

    /// `POST /cdn/files/upload/multipart` → `{access_url, uploadId}`.
    func beginMultipart(_ request: Request) -> Response {
        let lifecycle: ObjectLifecycle?
        switch ObjectLifecycle.from(request) {
        case .success(let value): lifecycle = value
        case .failure(let error): return error.response
        }
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let key = Self.newKey(fileName: request.headers[Self.fileNameHeader])
        let uploadID = state.files.beginMultipart(key: key, contentType: contentType, lifecycle: lifecycle)
        return Reply.json(["access_url": .string(fileURL(key)), "uploadId": .string(uploadID)])
    }

    /// `PUT {access_url}/multipart/{uploadId}/{partNumber}` → 200 with an `ETag`.
    func uploadPart(_ request: Request, key: String, uploadID: String, part: String) async -> Response {
        guard let number = Int(part), (1...10_000).contains(number) else {
            return Reply.detail("Part number must be an integer from 1 to 10000", status: .badRequest)
        }
        // Refuse unknown uploads before reading (and storing) the body.
        if state.files.checkMultipart(uploadID: uploadID, key: key) != .stored { return Self.unknownMultipart(uploadID) }
        switch await spool(request) {
        case .failure(let error): return error.response
        case .success(let body):
            switch state.files.addPart(uploadID: uploadID, key: key, number: number, body: body) {
            case .stored:
                // Names the stored bytes (fal's clients only echo it back in `complete`).
                let etag = "\"\(String(SeededRandom.stableHash(Array("\(uploadID)/\(number)/\(body.path)".utf8)), radix: 16))\""
                return Response(status: .ok, headers: [.eTag: etag])
            case .unknownUpload, .wrongFile:
                return Self.unknownMultipart(uploadID)
            case .tooLarge:
                return Reply.detail("Multipart upload exceeds the storage limit", status: .contentTooLarge)
            }
        }
    }

    static func unknownMultipart(_ uploadID: String) -> Response {
        Reply.detail("Multipart upload \(uploadID) not found for this file", status: .notFound)
    }

    /// `POST {access_url}/multipart/{uploadId}/complete` with `{parts: [{partNumber, etag}]}`.
    func completeMultipart(_ request: Request, key: String, uploadID: String) async -> Response {
        let body: JSONValue
        switch await BodyReader.jsonObject(request, limit: state.configuration.maxJSONBodyBytes) {
        case .success(let parsed): body = parsed.value
        case .failure(let error): return error.response
        }
        // Each part once, in order (a part listed twice is still one part).
        let numbers = Set((body["parts"]?.arrayValue ?? []).compactMap { $0["partNumber"]?.number.flatMap { Int(exactly: $0) } }).sorted()
        guard state.files.completeMultipart(uploadID: uploadID, key: key, partNumbers: numbers, fileName: Self.name(of: key)) else {
            return Reply.detail("Multipart upload \(uploadID) is unknown or a listed part is missing", status: .badRequest)
        }
        return Reply.json(["access_url": .string(fileURL(key))])
    }

    /// `GET /cdn/files/{key}/{name}`: an uploaded file (within its lifecycle: see `ObjectLifecycle`), or
    /// `generated/{name}.png` rendered on demand.
    func download(key: String, _ request: Request) -> Response {
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
        if key.hasPrefix("generated/"), let file = GeneratedFile(fileName: String(key.dropFirst("generated/".count))) {
            return Reply.bytes(file.bytes, contentType: file.kind.contentType, headers: [.cacheControl: "public, max-age=31536000, immutable"])
        }
        guard let file = state.files.file(key) else { return Reply.detail("File not found", status: .notFound) }
        if let lifecycle = file.lifecycle {
            if let refusal = lifecycle.refusal(owner: state.acceptsKey(request.headers[.authorization] ?? "")) { return refusal }
            var response = UploadSpool.serve(segments: file.segments, size: file.size, contentType: file.contentType)
            response.headers[ObjectLifecycle.header] = lifecycle.raw
            return response
        }
        return UploadSpool.serve(segments: file.segments, size: file.size, contentType: file.contentType)
    }

    // MARK: Helpers

    /// The request body, streamed to a new file in the store's directory within the upload limit.
    private func spool(_ request: Request) async -> Result<FileStore.Spooled, ReplyError> {
        let path: String
        do { path = try state.files.newSpoolPath() } catch {
            return .failure(ReplyError(Reply.detail("Could not store the upload on disk: \(error)", status: .internalServerError)))
        }
        return await UploadSpool.receive(request, limit: state.configuration.maxUploadBytes, to: path).map { FileStore.Spooled(path: path, size: $0) }
    }

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
