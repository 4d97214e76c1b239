import FalCore
import Foundation

/// The JSON text frames of fal's realtime protocol. Results are MessagePack in binary frames; everything
/// else the server says is one of these (fal sends them as JSON whatever the message encoding):
///
/// - `{"type": "x-fal-message", "action": "timings", "timing": seconds}`: metadata after a result; clients skip it.
/// - `{"type": "x-fal-error", "error": "TIMEOUT", "reason": "no inputs, reconnect when needed!"}`: the
///   connection was idle; a normal close follows.
/// - `{"type": "x-fal-error", "error": "INTERNAL_ERROR", "reason": …}`: the app failed; a normal close follows.
/// - `{"status": "error", "error": "Unauthorized"}`: the connection's token is no longer valid; a normal
///   close follows, and the client reconnects with a new token.
///
/// And one the emulator adds, for inputs it refuses (fal's apps fail the whole connection on a bad input;
/// the emulator answers that input only and keeps the connection usable):
///
/// - `{"type": "x-fal-error", "error": "VALIDATION_ERROR", "reason": "prompt: is required; …",
///   "request_id": …, "detail": [{"loc": ["body", "prompt"], "msg": "is required", "type": "missing"}]}`:
///   `detail` is the queue's 422 body (`loc`, `msg`, `type`, from the same validator); `request_id` is there
///   when the input carried one. Undecodable MessagePack (`type: "msgpack_decode_error"`), a value that is not
///   a map (`type_error`) and a text frame (`binary_frame_required`) are reported the same way, at `["body"]`.
/// - `{"type": "x-fal-error", "error": "OUTPUT_TOO_LARGE", "reason": …, "request_id": …}`: a `sync_mode`
///   result whose inlined files would pass the message size limit. The connection stays usable.
enum RealtimeFrames {
    static let timeoutReason = "no inputs, reconnect when needed!"

    static func error(_ code: String, reason: String, requestID: String? = nil, issues: [ValidationIssue]? = nil) -> String {
        var frame: [String: JSONValue] = ["type": "x-fal-error", "error": .string(code), "reason": .string(reason)]
        if let requestID { frame["request_id"] = .string(requestID) }
        if let issues { frame["detail"] = Reply.validationBody(issues)["detail"] }
        return JSONCoding.string(.object(frame))
    }

    /// The frame for an input that was refused: every issue, with its field path and rule.
    static func invalidInput(_ issues: [ValidationIssue], requestID: String?) -> String {
        error("VALIDATION_ERROR", reason: issues.map(\.description).joined(separator: "; "), requestID: requestID, issues: issues)
    }

    /// An input-level problem that has no field (bad bytes, wrong frame type), reported at `["body"]` with its
    /// own error `type` (`Reply.validationBody` derives types from messages, so these are built here).
    static func unreadableInput(_ message: String, type: String) -> String {
        let detail: JSONValue = .array([["loc": ["body"], "msg": .string(message), "type": .string(type)]])
        return JSONCoding.string([
            "type": "x-fal-error", "error": "VALIDATION_ERROR", "reason": .string(message), "detail": detail,
        ])
    }

    static var timeout: String { error("TIMEOUT", reason: timeoutReason) }

    static func internalError(_ reason: String) -> String { error("INTERNAL_ERROR", reason: reason) }

    static let unauthorized = JSONCoding.string(["status": "error", "error": "Unauthorized"])

    static func timings(seconds: Double) -> String {
        JSONCoding.string(["type": "x-fal-message", "action": "timings", "timing": .double(seconds)])
    }
}
