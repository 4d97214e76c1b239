import Crypto
import FalCore
import Foundation

/// Signs webhook deliveries the way fal does: ED25519 over
/// `"{request_id}\n{user_id}\n{timestamp}\n{sha256 hex of body}"`, hex-encoded in `X-Fal-Webhook-Signature`,
/// verifiable with the JWKS served at `/rest/.well-known/jwks.json`.
struct WebhookSigner: Sendable {
    /// Raw key bytes: Crypto's key type is not Sendable, so it is rebuilt for each use.
    private let rawKey: Data
    let keyID: String

    private var key: Curve25519.Signing.PrivateKey {
        // Bytes from a valid key always rebuild it.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
    }

    init(key: Curve25519.Signing.PrivateKey = .init()) {
        rawKey = key.rawRepresentation
        keyID = SHA256.hash(data: key.publicKey.rawRepresentation).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    static func message(requestID: String, userID: String, timestamp: String, body: Data) -> Data {
        let digest = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        return Data("\(requestID)\n\(userID)\n\(timestamp)\n\(digest)".utf8)
    }

    /// The four `X-Fal-Webhook-*` headers for a body.
    func headers(requestID: String, userID: String, body: Data, now: Date = Date()) throws -> [String: String] {
        let timestamp = String(Int(now.timeIntervalSince1970))
        let signature = try key.signature(for: Self.message(requestID: requestID, userID: userID, timestamp: timestamp, body: body))
        return [
            "X-Fal-Webhook-Request-Id": requestID,
            "X-Fal-Webhook-User-Id": userID,
            "X-Fal-Webhook-Timestamp": timestamp,
            "X-Fal-Webhook-Signature": signature.map { String(format: "%02x", $0) }.joined(),
        ]
    }

    /// RFC 7517 key set with the one OKP/Ed25519 public key (`x` is base64url without padding).
    var jwks: JSONValue {
        let x = key.publicKey.rawRepresentation.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return .object(["keys": .array([.object([
            "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": .string(keyID), "x": .string(x),
        ])])])
    }
}
