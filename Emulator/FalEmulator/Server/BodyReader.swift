import FalCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reads request bodies within the configured limits, turning every problem into fal-shaped errors.
enum BodyReader {
    /// The raw body, or a 413 when it exceeds `limit` (checked against Content-Length first, then while reading).
    static func bytes(_ request: Request, limit: Int) async -> Result<Data, ReplyError> {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            return .failure(tooLarge(limit))
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return .success(Data(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            return .failure(tooLarge(limit))
        } catch {
            return .failure(ReplyError(Reply.detail("Could not read request body: \(error)", status: .badRequest)))
        }
    }

    /// A JSON object body: 422 (fal's shape) for a missing or empty body and for JSON that is not an
    /// object, 400 for bytes that are not JSON.
    static func jsonObject(_ request: Request, limit: Int) async -> Result<JSONBody, ReplyError> {
        let data: Data
        switch await bytes(request, limit: limit) {
        case .success(let bytes): data = bytes
        case .failure(let error): return .failure(error)
        }
        return JSONBodyParser.parse(data).mapError(reply)
    }

    /// fal's answer for a refused JSON body.
    static func reply(_ refusal: JSONBodyParser.Refusal) -> ReplyError {
        switch refusal {
        case .missing: return ReplyError(Reply.validation([JSONBodyParser.missingBody]))
        case .malformed(let reason):
            return ReplyError(Reply.detail("Malformed JSON body: \(reason)", status: .badRequest, errorType: "malformed_json"))
        case .notAnObject(let issue): return ReplyError(Reply.validation([issue]))
        }
    }

    static func tooLarge(_ limit: Int) -> ReplyError {
        ReplyError(Reply.detail("Request body exceeds the limit of \(limit) bytes", status: .contentTooLarge, errorType: "payload_too_large"))
    }
}

/// A ready error response carried through `Result`.
struct ReplyError: Error, @unchecked Sendable {
    // Response is not Sendable-annotated but is only moved, never shared.
    let response: Response
    init(_ response: Response) { self.response = response }
}
