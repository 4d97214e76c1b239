import FalCore
import Foundation

/// The Platform API's error body, `{"error": {"type", "message", "docs_url"?, "request_id"?}}`, as `FalError.http`:
/// `errorType` is fal's `type` (`validation_error`, `authorization_error`, `not_found`, `rate_limited`,
/// `server_error`, `not_implemented`), `detail` its `message` (with `docs_url` appended when given), `requestID`
/// its `request_id` (else `x-fal-request-id`). Any other body is mapped as fal's other APIs' errors are.
enum PlatformErrorMapping {
    static func error(from response: HTTPResponse) -> FalError {
        guard let json = try? JSONTapeDecoder().decode(JSONValue.self, from: response.body),
              let error = json["error"], let message = error["message"]?.stringValue
        else { return FalErrorMapping.error(from: response) }
        var detail = message
        if let docs = error["docs_url"]?.stringValue, !docs.isEmpty { detail += " (see \(docs))" }
        return .http(
            status: response.status, detail: String(detail.prefix(FalErrorMapping.detailLimit)), errorType: error["type"]?.stringValue,
            requestID: error["request_id"]?.stringValue ?? response.headers["x-fal-request-id"])
    }
}
