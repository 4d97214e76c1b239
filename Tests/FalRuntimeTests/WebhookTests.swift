import Crypto
import Foundation
import Testing
@testable import FalRuntime

@Suite("webhook signatures")
struct WebhookTests {
    static let signingKeyBytes = Curve25519.Signing.PrivateKey().rawRepresentation
    static var signingKey: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: signingKeyBytes) }

    static func publishKey() async throws {
        let x = signingKey.publicKey.rawRepresentation.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        _ = try await FakeFal.control("jwks", ["keys": [["kty": "OKP", "crv": "Ed25519", "x": .string(x), "kid": "k1"]]])
    }

    static func signed(_ body: Data, timestamp: Date = Date(), key: Curve25519.Signing.PrivateKey? = nil) throws -> [String: String] {
        let stamp = String(Int(timestamp.timeIntervalSince1970))
        let message = "req-1\nuser-1\n\(stamp)\n\(sha256Hex(body))"
        let signature = try (key ?? signingKey).signature(for: Data(message.utf8)).map { String(format: "%02x", $0) }.joined()
        return ["x-fal-webhook-request-id": "req-1", "X-Fal-Webhook-User-Id": "user-1", "X-Fal-Webhook-Timestamp": stamp, "X-Fal-Webhook-Signature": signature]
    }

    let body = Data(#"{"request_id":"req-1","gateway_request_id":"req-1","status":"OK","payload":{"images":[{"url":"https://x/y.png","width":8,"height":8}],"seed":5}}"#.utf8)

    func verifier() -> WebhookVerifier { WebhookVerifier(jwksURL: FakeFal.baseURL + "/jwks.json") }

    @Test("a genuine delivery verifies and decodes into the endpoint's output")
    func genuine() async throws {
        try await Self.publishKey()
        let delivery = try await verifier().verify(TestModel.self, headers: try Self.signed(body), body: body)
        #expect(delivery.requestID == "req-1")
        #expect(try delivery.output().seed == 5)
        #expect(try delivery.output().images.first?.url == "https://x/y.png")
    }

    @Test("tampered bodies, stale or future timestamps, foreign keys and missing headers are rejected")
    func rejected() async throws {
        try await Self.publishKey()
        let verifier = verifier()
        var tampered = body
        tampered[tampered.count - 3] = UInt8(ascii: "6")
        // Signed at a whole second, verified at an explicit clock, so the tolerance edge is exact.
        let signedAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let genuine = try Self.signed(body, timestamp: signedAt)
        try await verifier.verify(headers: genuine, body: body, now: signedAt.addingTimeInterval(300))
        var cases: [(String, [String: String], Data, Date)] = [
            ("tampered body", genuine, tampered, signedAt),
            ("stale", genuine, body, signedAt.addingTimeInterval(301)),
            ("future", genuine, body, signedAt.addingTimeInterval(-301)),
            ("foreign key", try Self.signed(body, timestamp: signedAt, key: Curve25519.Signing.PrivateKey()), body, signedAt),
        ]
        var missing = genuine
        missing.removeValue(forKey: "X-Fal-Webhook-Signature")
        cases.append(("missing signature", missing, body, signedAt))
        var garbled = genuine
        garbled["X-Fal-Webhook-Signature"] = "zz"
        cases.append(("garbled signature", garbled, body, signedAt))
        var otherRequest = genuine
        otherRequest["x-fal-webhook-request-id"] = "req-2"
        cases.append(("signature of another request", otherRequest, body, signedAt))
        for (name, headers, payload, now) in cases {
            do {
                try await verifier.verify(headers: headers, body: payload, now: now)
                Issue.record("\(name): accepted")
            } catch {
                guard case .webhookRejected = error else { Issue.record("\(name): \(error)"); continue }
            }
        }
    }

    // Regression (ClientFuzz): a delivery stamped `nan`, `inf` or `1e308` was compared against the tolerance and
    // the rejection's message converted `Double(tolerance)` to `Int`, which traps for a tolerance of `.seconds(.max)`
    // (a caller's way to turn the freshness check off): one forged request killed the process.
    @Test("a hostile timestamp is rejected without a trap, whatever the tolerance",
          arguments: ["nan", "inf", "-inf", "1e308", "-1e308", "0x1p1000"])
    func hostileTimestamp(_ timestamp: String) async throws {
        let jwks = StubTransport { _, _ in .response(200, [], #"{"keys":[]}"#) }
        for tolerance in [Duration.seconds(Int64.max), .seconds(300), .zero, .seconds(-1)] {
            let verifier = WebhookVerifier(jwksURL: "https://rest.fal.ai/.well-known/jwks.json", tolerance: tolerance, transport: jwks)
            var headers = try Self.signed(body)
            headers["X-Fal-Webhook-Timestamp"] = timestamp
            let error = await #expect(throws: FalError.self) { try await verifier.verify(headers: headers, body: body) }
            guard case .webhookRejected? = error else { Issue.record("\(timestamp), \(tolerance): \(String(describing: error))"); continue }
        }
        #expect(jwks.requests.isEmpty, "a delivery with an unusable timestamp is refused before any key is fetched")
    }

    @Test("an ERROR delivery becomes a failure outcome")
    func errorDelivery() async throws {
        let failed = Data(#"{"request_id":"r","status":"ERROR","error":"Invalid status code: 422","payload":{"detail":[{"loc":["body","prompt"],"msg":"field required","type":"value_error.missing"}]}}"#.utf8)
        let delivery = try WebhookDelivery<TestModel.Output>(body: failed)
        #expect(throws: FalError.validation([ValidationIssue(path: FieldPath("prompt"), message: "field required", type: "value_error.missing")])) {
            _ = try delivery.output()
        }
    }
}
