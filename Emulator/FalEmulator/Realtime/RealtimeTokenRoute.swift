import FalCore
import Foundation
import Hummingbird

/// rest.fal.ai's `POST /tokens/` (the emulator's `/rest/tokens/`): what fal's clients call before opening a
/// realtime WebSocket. The body is `{"allowed_apps": [alias], "token_expiration": seconds}`; the answer is
/// the token as a JSON string. The route's `Authorization: Key …` is checked by the responder, as for every
/// route that needs fal's key.
struct RealtimeTokenRoute: Sendable {
    let state: EmulatorState

    /// Bounds on what a token may name: fal's clients send one alias.
    static let maxApps = 16
    static let maxAppLength = 256

    func issue(_ request: Request) async -> Response {
        let body: JSONBody
        switch await BodyReader.jsonObject(request, limit: 64 << 10) {
        case .success(let parsed): body = parsed
        case .failure(let error): return error.response
        }
        var issues: [ValidationIssue] = []
        let apps = allowedApps(body.value["allowed_apps"], issues: &issues)
        let seconds = expiration(body.value["token_expiration"], issues: &issues)
        guard issues.isEmpty else { return Reply.validation(issues) }
        return Reply.json(.string(state.tokens.issue(apps: apps, seconds: seconds)))
    }

    /// A non-empty list of non-empty aliases.
    private func allowedApps(_ value: JSONValue?, issues: inout [ValidationIssue]) -> [String] {
        let path = FieldPath.root.key("allowed_apps")
        guard let value else {
            Rule.required(at: path, into: &issues)
            return []
        }
        guard let items = value.arrayValue else {
            Rule.type(expected: "array", actual: value, at: path, into: &issues)
            return []
        }
        if items.isEmpty || items.count > Self.maxApps {
            issues.append(ValidationIssue(path: path, message: "must list 1 to \(Self.maxApps) apps, got \(items.count)"))
        }
        var apps: [String] = []
        for (index, item) in items.prefix(Self.maxApps).enumerated() {
            guard let app = item.stringValue else {
                Rule.type(expected: "string", actual: item, at: path.index(index), into: &issues)
                continue
            }
            if app.isEmpty || app.utf8.count > Self.maxAppLength {
                issues.append(ValidationIssue(path: path.index(index), message: "must be 1 to \(Self.maxAppLength) bytes long"))
            }
            apps.append(app)
        }
        return apps
    }

    /// Whole seconds; out-of-range values are clamped (1 s to 1 h), as a lenient server would.
    private func expiration(_ value: JSONValue?, issues: inout [ValidationIssue]) -> Int {
        guard let value, value != .null else { return RealtimeTokens.defaultExpiration }
        guard let seconds = value.number, value.schemaTypeName == "integer" else {
            Rule.type(expected: "integer", actual: value, at: FieldPath.root.key("token_expiration"), into: &issues)
            return RealtimeTokens.defaultExpiration
        }
        return Int(clamping: seconds, to: RealtimeTokens.expirationRange)
    }
}
