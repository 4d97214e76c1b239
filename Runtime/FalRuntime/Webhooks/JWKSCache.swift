import Crypto
import Foundation

/// fal's webhook public keys, fetched from the JWKS URL (never with credentials) and kept for `lifetime`.
actor JWKSCache {
    private let url: String
    private let lifetime: Duration
    private let transport: any Transport
    /// Raw 32-byte Ed25519 public keys (swift-crypto's key type is not Sendable).
    private var keys: [Data] = []
    private var fetchedAt: ContinuousClock.Instant?
    /// Forced refreshes are rate-limited so forged deliveries cannot make us hammer the JWKS URL.
    private let minimumRefreshInterval: Duration = .seconds(60)

    init(url: String, lifetime: Duration, transport: any Transport) {
        self.url = url
        self.lifetime = lifetime
        self.transport = transport
    }

    func keys(forceRefresh: Bool) async throws(FalError) -> [Data] {
        let now = ContinuousClock.now
        if let fetchedAt, !keys.isEmpty {
            let age = fetchedAt.duration(to: now)
            if age < lifetime && !(forceRefresh && age >= minimumRefreshInterval) { return keys }
        }
        keys = try await fetch()
        fetchedAt = now
        return keys
    }

    private func fetch() async throws(FalError) -> [Data] {
        var headers = HTTPHeaders()
        headers.set("Accept", "application/json")
        let response: HTTPResponse
        do {
            // A key set is a few hundred bytes: a megabyte is generous, and a hostile URL cannot fill memory.
            response = try await transport.send(HTTPRequest(
                method: "GET", url: url, headers: headers, timeout: .seconds(30), responseBodyLimit: 1 << 20))
        } catch {
            throw FalErrorMapping.error(from: error)
        }
        guard response.isSuccess else { throw FalErrorMapping.error(from: response) }
        let json = try FalJSON.decode(JSONValue.self, from: response.body)
        let keys = (json["keys"]?.arrayValue ?? []).compactMap { jwk -> Data? in
            guard jwk["kty"]?.stringValue == "OKP", jwk["crv"]?.stringValue == "Ed25519",
                  let x = jwk["x"]?.stringValue, let raw = Self.base64URLDecoded(x),
                  (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else { return nil }
            return raw
        }
        guard !keys.isEmpty else { throw FalError.webhookRejected(reason: "JWKS at \(url) holds no Ed25519 keys") }
        return keys
    }

    static func base64URLDecoded(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
