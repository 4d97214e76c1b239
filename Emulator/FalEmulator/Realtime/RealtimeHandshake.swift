import FalCore
import Foundation
import HTTPTypes

/// What an accepted realtime handshake sets up.
struct RealtimePlan: Sendable {
    enum Credential: Sendable {
        /// `Authorization: Key …` on the handshake (fal-client's `use_jwt=False`): valid for the connection's life.
        case key
        /// `?fal_jwt_token=…`: checked again on every input, so an expired or revoked token is noticed.
        case token(RealtimeTokens.Claims)
    }

    let endpoint: EmulatedEndpoint
    /// What follows the endpoint id in the URL: `/realtime` (fal's default), another path, or "".
    let path: String
    /// `max_buffering` when the client sent it (1...60).
    let maxBuffering: Int?
    let credential: Credential
    /// `X-Fal-Emulator-Latency-Ms` on the handshake: this connection's time per input.
    let latencyMilliseconds: Int?
}

/// The realtime WebSocket's handshake, decided before upgrading: which endpoint
/// (`/run/{id}[/{path}]`, fal.run's `wss://fal.run/{id}/realtime`), which credential, which options; or
/// the HTTP refusal (fal's `{"detail": …}` body): 404 for a path that names no served endpoint, 401 without
/// a valid key or token, 403 for a token of another app, 400 for a `max_buffering` outside 1...60, 503 when
/// `realtimeMaxConnections` are open.
struct RealtimeHandshake: Sendable {
    let state: EmulatorState

    static let tokenQuery = "fal_jwt_token"
    static let maxBufferingQuery = "max_buffering"
    static let maxBufferingRange = 1...60

    func decide(_ request: HTTPRequest) -> Result<RealtimePlan, RealtimeRefusal> {
        let target = request.path ?? "/"
        let path = String(target.prefix { $0 != "?" })
        let query = Self.query(target)
        guard let (endpoint, app, rest) = resolve(path) else {
            return .failure(RealtimeRefusal(status: 404, detail: "No realtime endpoint at \(path): connect to /run/{endpoint id}/realtime (loaded: \(state.catalog.ids.joined(separator: ", ")))"))
        }
        let credential: RealtimePlan.Credential
        switch authorize(request.headerFields[.authorization], token: query[Self.tokenQuery], alias: String(app.alias)) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let granted): credential = granted
        }
        var maxBuffering: Int?
        if let raw = query[Self.maxBufferingQuery] {
            guard let value = Int(raw), Self.maxBufferingRange.contains(value) else {
                return .failure(RealtimeRefusal(status: 400, detail: "max_buffering must be an integer between 1 and 60 (inclusive), got '\(raw.prefix(32))'"))
            }
            maxBuffering = value
        }
        guard state.realtime.count < state.configuration.realtimeMaxConnections else {
            return .failure(RealtimeRefusal(status: 503, detail: "Too many realtime connections (\(state.configuration.realtimeMaxConnections) open)"))
        }
        let latency = request.headerFields[ControlHeaders.field(ControlHeaders.latency)].flatMap { Int($0) }.map { min(max($0, 0), 600_000) }
        return .success(RealtimePlan(endpoint: endpoint, path: rest, maxBuffering: maxBuffering, credential: credential, latencyMilliseconds: latency))
    }

    /// `/run/{owner}/{alias}[/{subpath}][/{path}]`: the longest prefix naming a served endpoint wins, the rest
    /// is the realtime path, as `RunRoutes` resolves `…/stream`.
    func resolve(_ path: String) -> (EmulatedEndpoint, AppPath, String)? {
        let segments = path.split(separator: "/")
        guard segments.first == "run", let app = AppPath(segments: Array(segments.dropFirst())) else { return nil }
        for count in stride(from: app.rest.count, through: 0, by: -1) {
            let id = ([app.app] + app.rest.prefix(count).map(String.init)).joined(separator: "/")
            if let endpoint = state.catalog.endpoint(id) {
                let rest = app.rest.dropFirst(count)
                return (endpoint, app, rest.isEmpty ? "" : "/" + rest.joined(separator: "/"))
            }
        }
        return nil
    }

    /// A valid `Key` header, else the token (which must allow the app's alias, as fal's `allowed_apps` does).
    private func authorize(_ header: String?, token: String?, alias: String) -> Result<RealtimePlan.Credential, RealtimeRefusal> {
        if let header, state.acceptsKey(header) { return .success(.key) }
        if let token {
            switch state.tokens.verify(token, app: alias) {
            case .success(let claims): return .success(.token(claims))
            case .failure(let refusal):
                if case .appNotAllowed = refusal { return .failure(RealtimeRefusal(status: 403, detail: refusal.description)) }
                return .failure(RealtimeRefusal(status: 401, detail: refusal.description))
            }
        }
        if header != nil { return .failure(RealtimeRefusal(status: 401, detail: "Invalid credentials: the `Authorization: Key …` header does not carry a valid key")) }
        return .failure(RealtimeRefusal(status: 401, detail: "Missing credentials: send ?fal_jwt_token=… (from POST /rest/tokens/) or `Authorization: Key <FAL_KEY>`"))
    }

    /// The query's parameters, form-decoded (`+` is a space, as Python's `urlencode` writes it); of a repeated
    /// name the first wins. Hand-parsed: Foundation's `URLComponents` traps on malformed percent-encoding.
    static func query(_ target: String) -> [String: String] {
        guard let mark = target.firstIndex(of: "?") else { return [:] }
        var parameters: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&").prefix(64) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            if parameters[name] == nil { parameters[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return parameters
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
