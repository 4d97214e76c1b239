import Foundation
import Logging

/// A storage token for fal's CDN v3, from `POST {rest}/storage/auth/token?storage_type=fal-cdn-v3`.
struct CDNToken: Sendable {
    var token: String
    var tokenType: String
    /// Where uploads go (`https://v3.fal.media` in production).
    var baseURL: String
    var expiresAt: Date

    var authorization: String { "\(tokenType) \(token)" }
}

/// Holds the current CDN token and refreshes it shortly before it expires; concurrent uploads share
/// one refresh instead of each asking for a token.
actor CDNTokenCache {
    private var current: CDNToken?
    private var refreshing: Task<CDNToken, any Error>?
    /// Refresh this long before the stated expiry, so a token never dies mid-upload.
    private let margin: TimeInterval = 30

    func token(using client: FalClient) async throws -> CDNToken {
        if let current, current.expiresAt.timeIntervalSinceNow > margin { return current }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await Self.fetch(client) }
        refreshing = task
        defer { refreshing = nil }
        let token = try await task.value
        current = token
        return token
    }

    /// Drops `token` after the CDN rejected it, unless a concurrent upload already replaced it.
    func invalidate(_ token: CDNToken) {
        if current?.token == token.token { current = nil }
    }

    private static func fetch(_ client: FalClient) async throws -> CDNToken {
        var request = FalRequest(
            method: "POST", url: "\(client.configuration.hosts.rest)/storage/auth/token?storage_type=fal-cdn-v3", body: .data(Data("{}".utf8)))
        request.headers.set("Content-Type", "application/json")
        request.headers.set("Accept", "application/json")
        client.logger?.debug("fetching a CDN storage token")
        let response = try await client.send(request)
        let json = try FalJSON.decode(JSONValue.self, from: response.body)
        guard let token = json["token"]?.stringValue, let baseURL = json["base_url"]?.stringValue else {
            throw FalError.decoding(path: "token", message: "storage token answer lacks token or base_url")
        }
        return CDNToken(
            token: token, tokenType: json["token_type"]?.stringValue ?? "Bearer",
            baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL,
            expiresAt: json["expires_at"]?.stringValue.flatMap(parseDate) ?? Date().addingTimeInterval(300))
    }

    /// ISO 8601 with or without fractional seconds, as Python's `datetime.isoformat` writes it.
    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        // Python may write microseconds (6 digits); keep milliseconds.
        if let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "+" || $0 == "-" || $0 == "Z" }) {
            let fraction = text[text.index(after: dot)..<zone].prefix(3)
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: text[..<dot] + "." + fraction + text[zone...])
        }
        return nil
    }
}

extension FalClient {
    /// Runs `body` with the current CDN token. When the CDN rejects it (401/403: revoked, or expired
    /// before its stated expiry) the token is dropped and `body` runs once more with a fresh one.
    ///
    /// In proxy mode the client holds no token: `body` gets the configured CDN host and an empty token, and
    /// the proxy, which fetches storage tokens with the key, authorises each upload request.
    func withCDNToken<T>(_ body: (CDNToken) async throws(FalError) -> T) async throws(FalError) -> T {
        if configuration.proxyURL != nil {
            return try await body(CDNToken(token: "", tokenType: "", baseURL: configuration.hosts.cdn, expiresAt: .distantFuture))
        }
        let token = try await withFalErrors { try await cdnTokens.token(using: self) }
        do {
            return try await body(token)
        } catch .http(let status, _, _, _) where status == 401 || status == 403 {
            logger?.notice("the CDN rejected the storage token; trying once more with a fresh one", metadata: ["fal.status": "\(status)"])
            await cdnTokens.invalidate(token)
            let fresh = try await withFalErrors { try await cdnTokens.token(using: self) }
            return try await body(fresh)
        }
    }
}
