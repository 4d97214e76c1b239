import FalRuntime
import Foundation

/// The CDN storage token the proxy uploads with. fal's CDN (`v3.fal.media`) takes a short-lived storage token
/// from `POST rest.fal.ai/storage/auth/token`, not the key: the proxy fetches one with the key, keeps it
/// until shortly before it expires, and sends uploads to the CDN with it. The caller holds neither the key
/// nor a token (fal-js issue #169: uploads could not go through its proxy).
actor ProxyStorageTokens {
    private struct Token {
        var authorization: String
        var expiresAt: ContinuousClock.Instant
    }

    private var current: Token?
    private var refreshing: Task<Token, any Error>?
    /// Tokens are renewed this long before their stated expiry, so none dies mid-upload.
    private static let margin: Duration = .seconds(60)

    /// `Authorization` for a CDN request: a cached token, or a fresh one fetched with `key`.
    func authorization(key: FalCredentials, transport: any Transport, upstreams: ProxyUpstreams, connectTimeout: Duration) async throws -> String {
        if let current, current.expiresAt - .now > Self.margin { return current.authorization }
        if let refreshing { return try await refreshing.value.authorization }
        let task = Task { try await Self.fetch(key: key, transport: transport, upstreams: upstreams, connectTimeout: connectTimeout) }
        refreshing = task
        defer { refreshing = nil }
        let token = try await task.value
        current = token
        return token.authorization
    }

    /// Drops the cached token after the CDN refused it.
    func invalidate() { current = nil }

    private static func fetch(key: FalCredentials, transport: any Transport, upstreams: ProxyUpstreams, connectTimeout: Duration) async throws -> Token {
        let url = upstreams.url(for: .init(host: "rest.fal.ai", pathAndQuery: "/storage/auth/token?storage_type=fal-cdn-v3"))
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: HTTPHeaders([("Content-Type", "application/json"), ("Accept", "application/json"), ("Authorization", key.authorizationHeaderValue)]),
            body: .data(Data("{}".utf8)), timeout: .seconds(30), connectTimeout: connectTimeout, idleTimeout: .seconds(30),
            responseBodyLimit: 64 * 1024)
        let response = try await transport.send(request)
        guard response.isSuccess,
              let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let token = object["token"] as? String, !token.isEmpty, HTTPHeaders.isValidValue(token)
        else {
            throw TransportFailure(kind: .other, code: response.status, message: "fal's storage token service answered \(response.status)")
        }
        let type = (object["token_type"] as? String).flatMap { HTTPHeaders.isValidValue($0) ? $0 : nil } ?? "Bearer"
        var lifetime = Duration.seconds(300)
        if let text = object["expires_at"] as? String, let expires = Self.date(text) {
            lifetime = .seconds(max(0, min(expires.timeIntervalSinceNow, 24 * 3600)))
        }
        return Token(authorization: "\(type) \(token)", expiresAt: .now + lifetime)
    }

    /// ISO 8601 with or without fractional seconds.
    private static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
