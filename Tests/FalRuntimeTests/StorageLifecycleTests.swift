import FalCore
import FalEmulator
import Foundation
import Testing
@testable import FalRuntime

/// Uploads with fal's lifecycle settings (fal-js `StorageSettings`: `expiresIn`, `initialAcl`), sent as
/// `X-Fal-Object-Lifecycle` on every upload path, and honoured by the emulator.
@Suite struct StorageLifecycleTests {
    static let key = "lifecycle-key"

    func withEmulator(_ body: (FalClient, String) async throws -> Void) async throws {
        let emulator = try FalEmulator(configuration: .init(
            host: "127.0.0.1", port: 0, apiKey: Self.key, schemasDirectory: PlatformClientTests.schemas, controls: .immediate))
        let base = try await emulator.start().absoluteString
        do {
            var configuration = FalConfiguration(key: Self.key, hosts: .emulator(base))
            configuration.multipartThreshold = 6 << 20
            try await body(FalClient(configuration: configuration), base)
            await emulator.stop()
        } catch {
            await emulator.stop()
            throw error
        }
    }

    static func get(_ url: String, key: String? = nil) async throws -> HTTPResponse {
        var headers = HTTPHeaders()
        if let key { headers.set("Authorization", "Key \(key)") }
        return try await defaultTransport().send(HTTPRequest(method: "GET", url: url, headers: headers, timeout: .seconds(10)))
    }

    @Test func headerIsFalJSShape() throws {
        let lifecycle = FalStorageLifecycle(
            expiresIn: .sevenDays, initialACL: .init(default: .forbid, rules: [.init(user: "team-a", decision: .allow)]))
        #expect(try lifecycle.headerValue()
            == #"{"expiration_duration_seconds":604800,"initial_acl":{"default":"forbid","rules":[{"decision":"allow","user":"team-a"}]}}"#)
        #expect(try FalStorageLifecycle(expiresIn: .never).headerValue() == nil)
        #expect(FalStorageLifecycle.Expiration.immediate.seconds == 60 && FalStorageLifecycle.Expiration.oneYear.seconds == 31_536_000)
        #expect(throws: FalError.validation([
            ValidationIssue(path: FieldPath("lifecycle.expiresIn"), message: "0 is less than minimum 1 (seconds)"),
            ValidationIssue(path: FieldPath("lifecycle.initialACL.rules[0].user"), message: "must not be empty"),
        ])) { try FalStorageLifecycle(expiresIn: .seconds(0), initialACL: .init(rules: [.init(user: "", decision: .hide)])).headerValue() }
    }

    @Test func emulatorHonoursExpiryAndACL() async throws {
        try await withEmulator { fal, _ in
            let forbidden = try await fal.storage.upload(
                Data("secret".utf8), contentType: "text/plain", fileName: "a.txt",
                lifecycle: .init(expiresIn: .oneHour, initialACL: .init(default: .forbid)))
            #expect(try await Self.get(forbidden).status == 403)
            let owner = try await Self.get(forbidden, key: Self.key)
            #expect(owner.status == 200 && owner.body == Data("secret".utf8))
            #expect(owner.headers["X-Fal-Object-Lifecycle"] == #"{"expiration_duration_seconds":3600,"initial_acl":{"default":"forbid"}}"#)

            let hidden = try await fal.storage.upload(Data("x".utf8), lifecycle: .init(initialACL: .init(default: .hide)))
            #expect(try await Self.get(hidden).status == 404)
            let plain = try await fal.storage.upload(Data("y".utf8))
            #expect(try await Self.get(plain).status == 200)

            // Multipart uploads carry it too (6 MiB here is over the client's threshold).
            let large = try await fal.storage.upload(Data(count: 6 << 20), lifecycle: .init(expiresIn: .oneHour, initialACL: .init(default: .hide)))
            #expect(try await Self.get(large).status == 404)
            #expect(try await Self.get(large, key: Self.key).headers["X-Fal-Object-Lifecycle"]?.contains("3600") == true)

            // Expiry: served until it passes (checked only when the machine was quick enough to look in time), then gone.
            let uploaded = ContinuousClock.now
            let expiring = try await fal.storage.upload(Data("brief".utf8), lifecycle: .init(expiresIn: .seconds(1)))
            let early = try await Self.get(expiring, key: Self.key).status
            if uploaded.duration(to: .now) < .milliseconds(800) { #expect(early == 200) }
            try await Task.sleep(until: uploaded + .milliseconds(1300))
            #expect(try await Self.get(expiring, key: Self.key).status == 404)
        }
    }

    @Test func emulatorRefusesAMalformedLifecycleNamingTheField() async throws {
        try await withEmulator { _, base in
            var request = HTTPRequest(method: "POST", url: base + "/cdn/files/upload", body: .data(Data("z".utf8)), timeout: .seconds(10))
            request.headers.set("Authorization", "Key \(Self.key)")
            for (header, message) in [
                (#"{"expiration_duration_seconds": 0}"#, "expiration_duration_seconds must be an integer >= 1, got 0"),
                (#"{"initial_acl": {"default": "public"}}"#, "initial_acl.default must be allow, forbid or hide, got \"public\""),
                (#"{"expires": 5}"#, "unknown field \"expires\""),
            ] {
                request.headers.set("X-Fal-Object-Lifecycle", header)
                let answer = try await defaultTransport().send(request)
                #expect(answer.status == 400)
                let detail = try JSONDecoder().decode(JSONValue.self, from: answer.body)["detail"]?.stringValue ?? ""
                #expect(detail.hasPrefix("X-Fal-Object-Lifecycle: \(message)"), "\(detail)")
            }
        }
    }
}
