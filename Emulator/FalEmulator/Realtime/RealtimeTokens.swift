import Crypto
import FalCore
import Foundation
import Synchronization

/// The short-lived tokens `POST /rest/tokens/` issues for realtime WebSockets (`?fal_jwt_token=…`).
///
/// fal's tokens are JWTs; these are too (HS256), so a client that reads `exp` from its token sees a real value.
/// Only this emulator instance can verify them: the HMAC key is random per instance and never leaves it.
/// Claims: `allowed_apps` (app aliases, as fal's clients ask for them), `iat` and `exp` (seconds since 1970),
/// `jti`, and `gen`, the revocation generation: `expireAll()` makes every token issued so far invalid by
/// raising the generation tokens must carry.
final class RealtimeTokens: Sendable {
    /// What a valid token grants.
    struct Claims: Sendable, Equatable {
        var allowedApps: [String]
        var expiresAt: Date
        var generation: Int
    }

    /// Why a token was refused: each maps to the handshake's status (401, or 403 for another app's token).
    enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed
        case badSignature
        case expired
        case revoked
        case appNotAllowed(String)

        var description: String {
            switch self {
            case .malformed: return "The realtime token is malformed"
            case .badSignature: return "The realtime token was not issued by this emulator"
            case .expired: return "The realtime token has expired"
            case .revoked: return "The realtime token was revoked (expired early by /_emulator/realtime/expire-tokens)"
            case .appNotAllowed(let app): return "The realtime token does not allow the app '\(app)'"
            }
        }
    }

    /// fal's clients ask for 120 s; the emulator grants 1 s to 1 hour.
    static let defaultExpiration = 120
    static let expirationRange = 1...3_600

    /// The HMAC key's bytes (`SymmetricKey` is not `Sendable`; it is rebuilt from these for each use).
    private let keyBytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }
    private let counters = Mutex((issued: 0, minimumGeneration: 0))

    var issuedCount: Int { counters.withLock { $0.issued } }
    var minimumGeneration: Int { counters.withLock { $0.minimumGeneration } }

    /// A signed token for `apps`, valid for `seconds` (clamped to `expirationRange`) from `now`.
    func issue(apps: [String], seconds: Int, now: Date = Date()) -> String {
        let generation = counters.withLock { counters -> Int in
            counters.issued += 1
            return counters.minimumGeneration
        }
        let issuedAt = Int(now.timeIntervalSince1970.rounded(.down))
        let lifetime = min(max(seconds, Self.expirationRange.lowerBound), Self.expirationRange.upperBound)
        let claims: JSONValue = [
            "allowed_apps": .array(apps.map(JSONValue.string)), "iat": .int(issuedAt), "exp": .int(issuedAt + lifetime),
            "jti": .string(Identifiers.requestID()), "gen": .int(generation), "iss": "fal-emulator",
        ]
        let signingInput = Self.base64URL(JSONCoding.data(["alg": "HS256", "typ": "JWT"])) + "." + Self.base64URL(JSONCoding.data(claims))
        return signingInput + "." + Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)))
    }

    /// Every token issued so far stops being accepted; tokens issued afterwards are not affected.
    func expireAll() -> Int {
        counters.withLock { counters in
            counters.minimumGeneration += 1
            return counters.minimumGeneration
        }
    }

    /// The token's claims, when it is this emulator's, unexpired, unrevoked, and allows `app` (an alias).
    func verify(_ token: String, app: String, now: Date = Date()) -> Result<Claims, Refusal> {
        let claims: Claims
        switch decode(token) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let decoded): claims = decoded
        }
        if let refusal = stillValid(claims, now: now) { return .failure(refusal) }
        guard claims.allowedApps.contains(app) else { return .failure(.appNotAllowed(app)) }
        return .success(claims)
    }

    /// Why claims that were valid at the handshake no longer are (expiry or revocation), or nil.
    func stillValid(_ claims: Claims, now: Date = Date()) -> Refusal? {
        if claims.generation < minimumGeneration { return .revoked }
        if claims.expiresAt <= now { return .expired }
        return nil
    }

    private func decode(_ token: String) -> Result<Claims, Refusal> {
        // A JWT of any plausible size is far below this; longer input is refused before any work.
        guard token.utf8.count <= 8_192 else { return .failure(.malformed) }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Self.data(base64URL: parts[2]) else { return .failure(.malformed) }
        let signingInput = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else {
            return .failure(.badSignature)
        }
        guard let payload = Self.data(base64URL: parts[1]), let claims = try? JSONCoding.parse(payload),
            let apps = claims["allowed_apps"]?.arrayValue?.compactMap(\.stringValue),
            let expiry = claims["exp"]?.number, let generation = claims["gen"]?.number
        else { return .failure(.malformed) }
        return .success(Claims(
            allowedApps: apps, expiresAt: Date(timeIntervalSince1970: expiry), generation: Int(clamping: generation, to: 0...Int.max)))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64URL text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
