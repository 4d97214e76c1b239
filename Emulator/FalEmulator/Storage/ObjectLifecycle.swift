import FalCore
import Foundation
import HTTPTypes
import Hummingbird

/// An upload's `X-Fal-Object-Lifecycle` (fal-js's `StorageSettings`): `{"expiration_duration_seconds": N,
/// "initial_acl": {"default": "allow|forbid|hide", "rules": [{"user", "decision"}]}}`. Checked on upload (400 naming
/// the field), kept with the file, and honoured on download: an expired file is gone (404); an anonymous reader gets
/// the ACL's default (`forbid` 403, `hide` 404); a reader with the fal key (the owner) is always served.
struct ObjectLifecycle: Sendable, Hashable {
    static let header = HTTPField.Name("X-Fal-Object-Lifecycle")!

    /// The header as sent, echoed on downloads.
    var raw: String
    var expiresAt: Date?
    var aclDefault: String?

    static let decisions: Set<String> = ["allow", "forbid", "hide"]

    /// The request's lifecycle: nil without the header; a 400 `ReplyError` for a malformed one.
    static func from(_ request: Request) -> Result<ObjectLifecycle?, ReplyError> {
        guard let raw = request.headers[header] else { return .success(nil) }
        func refuse(_ message: String) -> Result<ObjectLifecycle?, ReplyError> {
            .failure(ReplyError(Reply.detail("X-Fal-Object-Lifecycle: \(message)", status: .badRequest)))
        }
        guard raw.utf8.count <= 8192, let value = try? JSONCoding.parse(Data(raw.utf8)), let object = value.objectValue else {
            return refuse("expected a JSON object of at most 8 KiB")
        }
        for key in object.keys where !["expiration_duration_seconds", "initial_acl"].contains(key) {
            return refuse("unknown field \(key.debugDescription) (expected expiration_duration_seconds, initial_acl)")
        }
        var lifecycle = ObjectLifecycle(raw: raw)
        if let seconds = object["expiration_duration_seconds"] {
            guard let number = seconds.number, number >= 1, number.rounded() == number, number <= 1e12 else {
                return refuse("expiration_duration_seconds must be an integer >= 1, got \(JSONCoding.string(seconds))")
            }
            lifecycle.expiresAt = Date().addingTimeInterval(number)
        }
        if let acl = object["initial_acl"] {
            guard let members = acl.objectValue else { return refuse("initial_acl must be an object") }
            if let decision = members["default"] {
                guard let text = decision.stringValue, decisions.contains(text) else {
                    return refuse("initial_acl.default must be allow, forbid or hide, got \(JSONCoding.string(decision))")
                }
                lifecycle.aclDefault = text
            }
            for (index, rule) in (members["rules"]?.arrayValue ?? []).enumerated() {
                guard let user = rule["user"]?.stringValue, !user.isEmpty else { return refuse("initial_acl.rules[\(index)].user must be a non-empty string") }
                guard let decision = rule["decision"]?.stringValue, decisions.contains(decision) else {
                    return refuse("initial_acl.rules[\(index)].decision must be allow, forbid or hide")
                }
            }
        }
        return .success(lifecycle)
    }

    /// The refusal for this reader, or nil when the file may be served.
    func refusal(owner: Bool, now: Date = Date()) -> Response? {
        if let expiresAt, now >= expiresAt { return Reply.detail("File not found (expired)", status: .notFound) }
        guard !owner else { return nil }
        switch aclDefault {
        case "forbid": return Reply.detail("Access to this file is forbidden", status: .forbidden)
        case "hide": return Reply.detail("File not found", status: .notFound)
        default: return nil
        }
    }
}
