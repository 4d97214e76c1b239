import Crypto
import FalCore
import FalEmulator
import Foundation
import Testing

@Suite struct WebhookTests {
    static func retryingFast(_ configuration: inout FalEmulator.Configuration) {
        configuration.webhookRetry = WebhookRetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(30), maxDelay: .milliseconds(100), timeout: .seconds(5))
    }

    @Test func deliveryIsSignedVerifiablyAndRetried() async throws {
        let receiver = WebhookReceiver(failures: 2)
        let hook = try await receiver.start()
        defer { Task { await receiver.stop() } }
        try await EmulatorFixture.with(EmulatorFixture.configuration(customize: Self.retryingFast)) { _, base in
            let encoded = hook.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let submitted = try await EmulatorFixture.submit(base + "", endpoint: "fal-ai/illusion-diffusion?fal_webhook=\(encoded)")
            let id = try #require(submitted["request_id"]?.stringValue)
            try await receiver.waitFor(3)
            try await Task.sleep(for: .milliseconds(200))
            let deliveries = receiver.received
            #expect(deliveries.count == 3)  // two 500s, then success; no more after that

            let delivery = try #require(deliveries.last)
            let payload = try JSONDecoder().decode(JSONValue.self, from: delivery.body)
            #expect(payload["request_id"]?.stringValue == id)
            #expect(payload["status"] == "OK")
            #expect(payload["payload"]?["image"]?["url"] != nil)

            let jwksAnswer = try await TestHTTP.send("GET", "\(base)/rest/.well-known/jwks.json", key: nil)
            let jwks = try #require(jwksAnswer.json)
            let x = try #require(jwks["keys"]?.arrayValue?.first?["x"]?.stringValue)
            let key = try Curve25519.Signing.PublicKey(rawRepresentation: Self.base64URL(x))
            let header = { (name: String) in delivery.headers.first { $0.key.lowercased() == name.lowercased() }?.value ?? "" }
            #expect(header("X-Fal-Webhook-Request-Id") == id)
            #expect(abs(Double(header("X-Fal-Webhook-Timestamp"))! - Date().timeIntervalSince1970) < 60)
            let digest = SHA256.hash(data: delivery.body).map { String(format: "%02x", $0) }.joined()
            let message = Data("\(id)\n\(header("X-Fal-Webhook-User-Id"))\n\(header("X-Fal-Webhook-Timestamp"))\n\(digest)".utf8)
            let signature = Self.hex(header("X-Fal-Webhook-Signature"))
            #expect(key.isValidSignature(signature, for: message))
            #expect(!key.isValidSignature(signature, for: Data("tampered".utf8)))

            let logAnswer = try await TestHTTP.send("GET", "\(base)/_emulator/webhooks")
            let log = try #require(logAnswer.json)
            #expect(log["attempts"]?.arrayValue?.map { $0["status"] } == [500, 500, 200])
        }
    }

    @Test func failedRequestsDeliverAnErrorPayload() async throws {
        let receiver = WebhookReceiver(failures: 0)
        let hook = try await receiver.start()
        defer { Task { await receiver.stop() } }
        try await EmulatorFixture.with(EmulatorFixture.configuration(customize: Self.retryingFast)) { _, base in
            let encoded = hook.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            _ = try await EmulatorFixture.submit(base, endpoint: "fal-ai/illusion-diffusion?fal_webhook=\(encoded)", headers: [ControlHeaders.failure: "error"])
            try await receiver.waitFor(1)
            let payload = try JSONDecoder().decode(JSONValue.self, from: receiver.received[0].body)
            #expect(payload["status"] == "ERROR")
            #expect(payload["error"]?.stringValue?.contains("500") == true)
            #expect(payload["payload"]?["detail"] != nil)
        }
    }

    // Regression (issue 11, found by `make sanitize`): stop() cancels the webhook deliveries, and one whose
    // POST completed while it was being cancelled deadlocked inside URLSession.data(for:) (its cancellation
    // handler waits for the session's queue under the task's lock; the completion waits for that lock on the
    // queue). stop() never returned. Each round stops the emulator with deliveries in flight; the wait for
    // stop() is a semaphore on a timer, so a deadlock fails the test instead of hanging it.
    @Test func stopReturnsWithWebhookDeliveriesInFlight() async throws {
        let receiver = WebhookReceiver(failures: 0)
        let hook = try await receiver.start()
        defer { Task { await receiver.stop() } }
        let encoded = hook.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        for round in 0..<6 {
            let emulator = try FalEmulator(configuration: EmulatorFixture.configuration(customize: Self.retryingFast))
            let base = try await emulator.start().absoluteString
            let before = receiver.received.count
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 {
                    group.addTask { _ = try await EmulatorFixture.submit(base, endpoint: "fal-ai/illusion-diffusion?fal_webhook=\(encoded)") }
                }
                try await group.waitForAll()
            }
            try await receiver.waitFor(before + 1)  // deliveries have begun; most are still in flight
            let stopped = DispatchSemaphore(value: 0)
            Task.detached {
                await emulator.stop()
                stopped.signal()
            }
            let returned = stopped.wait(timeout: .now() + .seconds(30 * Sanitizer.timeSlack)) == .success
            #expect(returned, "round \(round): stop() did not return with webhook deliveries in flight")
            if !returned { return }
        }
    }

    static func base64URL(_ text: String) -> Data {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64) ?? Data()
    }

    static func hex(_ text: String) -> Data {
        var bytes = [UInt8]()
        var index = text.startIndex
        while index < text.endIndex, let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex) {
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return Data(bytes)
    }
}
