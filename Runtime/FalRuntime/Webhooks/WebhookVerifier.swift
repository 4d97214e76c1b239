import Crypto
import Foundation

/// Checks that a webhook delivery comes from fal and decodes it.
///
/// fal signs each delivery with ED25519. The signed message is four lines joined by `\n`:
///
///     {X-Fal-Webhook-Request-Id}\n{X-Fal-Webhook-User-Id}\n{X-Fal-Webhook-Timestamp}\n{hex SHA-256 of the raw body}
///
/// `X-Fal-Webhook-Signature` is the hex-encoded 64-byte signature; it is valid when any ED25519 key of
/// fal's JWKS (`keys[].x`, base64url) verifies it. The timestamp (Unix seconds) must lie within
/// `tolerance` of now (±5 minutes by default) so captured deliveries cannot be replayed later.
/// Keys are fetched without credentials and cached for `cacheDuration`; an unknown signature triggers
/// one early refresh, so key rotation does not reject genuine deliveries.
public struct WebhookVerifier: Sendable {
    /// fal's published key set on its REST host (`https://rest.fal.ai/.well-known/jwks.json`), as fal's
    /// webhook documentation names it today; older pages and many integrations use `rest.alpha.fal.ai`.
    /// The emulator serves its key set at the same path under its `/rest` prefix.
    public static let falJWKSURL = jwksURL(on: .production)

    /// The key set's URL on `hosts`' REST host.
    public static func jwksURL(on hosts: FalHosts) -> String { hosts.rest + "/.well-known/jwks.json" }

    /// Where the verifier fetches fal's public keys.
    public let jwksURL: String
    /// How far a delivery's timestamp may lie from now, either way (5 minutes by default).
    public let tolerance: Duration
    private let keys: JWKSCache

    /// `transport` fetches the key set (the platform's default transport unless given; a `FalClient`'s
    /// `webhookVerifier()` uses the client's).
    public init(
        jwksURL: String = WebhookVerifier.falJWKSURL, tolerance: Duration = .seconds(300), cacheDuration: Duration = .seconds(86_400),
        transport: any Transport = defaultTransport()
    ) {
        self.jwksURL = jwksURL
        self.tolerance = tolerance
        self.keys = JWKSCache(url: jwksURL, lifetime: cacheDuration, transport: transport)
    }

    /// Throws `FalError.webhookRejected` unless `body` carries a valid, fresh fal signature.
    /// `headers` are matched case-insensitively.
    public func verify(headers: [String: String], body: Data, now: Date = Date()) async throws(FalError) {
        func header(_ name: String) throws(FalError) -> String {
            guard let value = headers.first(where: { HTTPHeaders.sameName($0.key, name) })?.value, !value.isEmpty else {
                throw FalError.webhookRejected(reason: "missing \(name) header")
            }
            return value
        }
        let requestID = try header("X-Fal-Webhook-Request-Id")
        let userID = try header("X-Fal-Webhook-User-Id")
        let timestamp = try header("X-Fal-Webhook-Timestamp")
        let signatureHex = try header("X-Fal-Webhook-Signature")

        guard let seconds = Double(timestamp), seconds.isFinite else {
            throw FalError.webhookRejected(reason: "timestamp '\(timestamp)' is not Unix seconds")
        }
        // The tolerance is reported as the whole seconds it holds: `Int(Double(Int64.max))` would trap (found by
        // ClientFuzz: a delivery stamped `nan` or `1e308` against `tolerance: .seconds(.max)` killed the process).
        guard abs(now.timeIntervalSince1970 - seconds) <= Double(tolerance.components.seconds) else {
            throw FalError.webhookRejected(reason: "timestamp is outside the ±\(tolerance.components.seconds) s tolerance")
        }
        guard let signature = Self.hexDecoded(signatureHex), signature.count == 64 else {
            throw FalError.webhookRejected(reason: "signature is not 64 hex-encoded bytes")
        }
        let digest = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        let message = Data("\(requestID)\n\(userID)\n\(timestamp)\n\(digest)".utf8)

        func verifies(_ raw: Data) -> Bool {
            (try? Curve25519.Signing.PublicKey(rawRepresentation: raw))?.isValidSignature(signature, for: message) ?? false
        }
        if try await keys.keys(forceRefresh: false).contains(where: verifies) { return }
        // Maybe fal rotated its keys since they were cached: look once more, then reject.
        if try await keys.keys(forceRefresh: true).contains(where: verifies) { return }
        throw FalError.webhookRejected(reason: "signature does not verify with any of fal's webhook keys")
    }

    /// Verifies the delivery and decodes fal's webhook body into the endpoint's typed output.
    public func verify<Endpoint: FalEndpoint>(
        _ endpoint: Endpoint.Type, headers: [String: String], body: Data, now: Date = Date()
    ) async throws(FalError) -> WebhookDelivery<Endpoint.Output> where Endpoint.Output: Sendable {
        try await verify(headers: headers, body: body, now: now)
        return try WebhookDelivery(body: body)
    }

    static func hexDecoded(_ text: String) -> Data? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var data = Data(capacity: digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            data.append(high << 4 | low)
            index += 2
        }
        return data
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// fal's webhook body: `{request_id, gateway_request_id, status: "OK" | "ERROR", payload, error, payload_error}`.
public struct WebhookDelivery<Output: Decodable & Sendable>: Sendable {
    /// The request the delivery reports on (`request_id`): the id `submit` returned and the queue API uses.
    public var requestID: String
    /// fal's `gateway_request_id`: usually equal to `requestID`, but the last attempt's id when fal retried.
    public var gatewayRequestID: String?
    /// The typed output, or why the request failed (`requestFailed`), or why its payload is unusable (`decoding`).
    public var outcome: Result<Output, FalError>

    /// The output, or the failure as `FalError`.
    public func output() throws(FalError) -> Output { try outcome.get() }

    /// Decodes fal's webhook body without checking its signature: verify untrusted deliveries with
    /// `WebhookVerifier`. Throws when the body is not JSON or has no `request_id`; a failed request or an
    /// undecodable payload becomes `outcome`.
    public init(body: Data) throws(FalError) {
        let json = try FalJSON.decode(JSONValue.self, from: body)
        guard let requestID = json["request_id"]?.stringValue else {
            throw FalError.decoding(path: "request_id", message: "webhook body has no request_id")
        }
        self.requestID = requestID
        gatewayRequestID = json["gateway_request_id"]?.stringValue
        if let payloadError = json["payload_error"]?.stringValue {
            outcome = .failure(.decoding(path: "payload", message: payloadError))
        } else if json["status"]?.stringValue == "OK", let payload = json["payload"] {
            let encoded = try FalJSON.encode(payload)
            do {
                outcome = .success(try FalJSON.decode(Output.self, from: encoded))
            } catch {
                outcome = .failure(error.prefixed(with: "payload"))
            }
        } else {
            let detail = json["payload"].flatMap { FalErrorMapping.validationIssues($0["detail"]) }
            if let detail, !detail.isEmpty {
                outcome = .failure(.validation(detail))
            } else {
                outcome = .failure(.requestFailed(
                    requestID: requestID, message: json["error"]?.stringValue ?? "request failed",
                    errorType: json["error_type"]?.stringValue))
            }
        }
    }
}

extension FalError {
    /// A decoding error whose path is re-rooted under `prefix`.
    func prefixed(with prefix: String) -> FalError {
        guard case .decoding(let path, let message) = self else { return self }
        return .decoding(path: path.isEmpty ? prefix : (path.hasPrefix("[") ? prefix + path : "\(prefix).\(path)"), message: message)
    }
}

extension FalClient {
    /// A verifier for deliveries of requests made through this client: the key set on its REST host,
    /// fetched through its transport.
    public func webhookVerifier(tolerance: Duration = .seconds(300), cacheDuration: Duration = .seconds(86_400)) -> WebhookVerifier {
        WebhookVerifier(
            jwksURL: WebhookVerifier.jwksURL(on: configuration.hosts), tolerance: tolerance, cacheDuration: cacheDuration, transport: transport)
    }
}
