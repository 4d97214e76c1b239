import FalEmulator
import FalProxy
@testable import FalRuntime
import FalSDK
import Foundation
import Synchronization
import Testing

/// This SDK's client in proxy mode, holding no key, → FalProxy on Hummingbird → the emulator.
@Suite("proxy end to end (Hummingbird)")
struct ProxyEndToEndTests {
    static let illusion = IllusionDiffusion.Input(imageURL: "https://example.com/pattern.png", prompt: "a castle", seed: 3, imageSize: .square)

    @Test("subscribe: submit, status stream and result go through the proxy, which adds the key")
    func subscribe() async throws {
        let controls = EmulatorControls(latencyMilliseconds: 200, queueDepth: 2, queueStepMilliseconds: 50, logLines: 2)
        try await ProxiedFal.with(controls: controls) { proxied in
            #expect(proxied.fal.configuration.credentials == nil, "the client holds no key")
            let updates = Mutex<[QueueStatus]>([])
            let output = try await proxied.fal.illusionDiffusion.subscribe(Self.illusion, logs: true) { update in
                updates.withLock { $0.append(update) }
            }
            #expect(output.seed == 3)
            #expect(updates.withLock { $0.last?.isCompleted } == true)
            let operations = proxied.emulator.requestLog.entries.compactMap(\.operation)
            #expect(operations.contains(.submit))
            #expect(operations.contains(.result))
            // The emulator answers 401 to any request without the key: every one here was authorised by the proxy.
            #expect(proxied.emulator.requestLog.entries.allSatisfy { $0.status != 401 })
            #expect(!proxied.logs.all.isEmpty, "the proxy logged what it forwarded")
            #expect(!proxied.logs.all.contains { $0.contains(ProxiedFal.key) || $0.contains("9d77aa41") }, "the key is in no log line")
        }
    }

    @Test("a streaming endpoint's server-sent events pass through one by one, as they are sent")
    func streamEventByEvent() async throws {
        let controls = EmulatorControls(latencyMilliseconds: 900, queueDepth: 0, queueStepMilliseconds: 0, logLines: 3)
        try await ProxiedFal.with(controls: controls) { proxied in
            let clock = ContinuousClock()
            let start = clock.now
            var arrivals: [Duration] = []
            for try await _ in try await proxied.fal.illusionDiffusion.stream(Self.illusion) {
                arrivals.append(clock.now - start)
            }
            #expect(arrivals.count >= 3)
            // Three events 300 ms apart: had the proxy held the body, all would arrive together at the end.
            let spread = try #require(arrivals.last) - arrivals[0]
            #expect(spread >= .milliseconds(400), "events arrived within \(spread): buffered, not streamed")
        }
    }

    @Test("cancel goes through the proxy and cancels the queued request")
    func cancel() async throws {
        let stuck = EmulatorControls(latencyMilliseconds: 0, queueDepth: 1_000, queueStepMilliseconds: 1_000, logLines: 1)
        try await ProxiedFal.with(controls: stuck) { proxied in
            let submission = try await proxied.fal.illusionDiffusion.submit(Self.illusion)
            try await proxied.fal.illusionDiffusion.cancel(requestID: submission.requestID)
            #expect(proxied.emulator.requestLog.entries.contains { $0.operation == .cancel && (200..<300).contains($0.status) })
            let failure = await ProxiedFal.failure { () async throws(FalError) in
                try await proxied.fal.illusionDiffusion.result(requestID: submission.requestID)
            }
            #expect(failure != nil, "a cancelled request has no result")
        }
    }

    @Test("uploads go through the proxy: no key and no storage token on the client")
    func upload() async throws {
        try await ProxiedFal.with { proxied in
            let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let url = try await proxied.fal.storage.upload(bytes, contentType: "application/octet-stream", fileName: "blob.bin")
            #expect(url.hasPrefix(proxied.emulator.baseURL!.absoluteString + "/cdn/files/"))
            let stored = try await HTTPTransport().send(HTTPRequest(method: "GET", url: url))
            #expect(stored.status == 200)
            #expect(stored.body == bytes)
            #expect(proxied.emulator.requestLog.entries.contains { $0.path == "/cdn/files/upload" && $0.status == 200 })
            // The proxy fetched the storage token with its key; the client never asked for one.
            #expect(proxied.emulator.requestLog.entries.filter { $0.path.hasPrefix("/rest/storage/auth/token") }.count == 1)
        }
    }

    @Test("a multipart upload goes through the proxy: create, parts in parallel, complete")
    func multipartUpload() async throws {
        try await ProxiedFal.with(multipartThreshold: 5 << 20, productionCDNURLs: true) { proxied in
            let bytes = Data((0..<(12 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 16) })
            let url = try await proxied.fal.storage.upload(bytes, contentType: "application/octet-stream", fileName: "big.bin")
            #expect(url.hasPrefix("https://v3.fal.media/files/"))
            let parts = proxied.emulator.requestLog.entries.filter { $0.method == "PUT" && $0.path.contains("/multipart/") }
            #expect(parts.count == 3 && parts.allSatisfy { $0.status == 200 })
            let local = url.replacingOccurrences(of: "https://v3.fal.media", with: proxied.emulator.baseURL!.absoluteString + "/cdn")
            let stored = try await HTTPTransport().send(HTTPRequest(method: "GET", url: local, responseBodyLimit: 64 << 20))
            #expect(stored.body == bytes)
        }
    }

    @Test("an input holding bytes is uploaded through the proxy before the submit")
    func autoUpload() async throws {
        try await ProxiedFal.with { proxied in
            let input = IllusionDiffusion.Input(imageURL: .data(Data([0x89, 0x50, 0x4E, 0x47, 1, 2]), contentType: "image/png"), prompt: "p", seed: 1)
            let output = try await proxied.fal.illusionDiffusion.subscribe(input)
            #expect(output.seed == 1)
            #expect(proxied.emulator.requestLog.entries.contains { $0.path == "/cdn/files/upload" })
        }
    }

    @Test("a realtime token is fetched through the proxy, with no key on the client")
    func realtimeToken() async throws {
        try await ProxiedFal.with { proxied in
            let token = try await proxied.fal.realtimeToken(alias: "fast-sdxl", lifetimeSeconds: 60)
            #expect(!token.isEmpty)
            #expect(!token.contains(ProxiedFal.key))
            #expect(proxied.emulator.requestLog.entries.contains { $0.path == "/rest/tokens/" && $0.status == 200 })
        }
    }

    @Test("the app's authentication runs first: without the session nothing reaches fal")
    func unauthenticated() async throws {
        try await ProxiedFal.with(sendsSession: false) { proxied in
            let failure = await ProxiedFal.failure { () async throws(FalError) in
                try await proxied.fal.illusionDiffusion.submit(Self.illusion)
            }
            guard case .http(let status, _, _, _)? = failure else {
                Issue.record("expected a 401, got \(String(describing: failure))")
                return
            }
            #expect(status == 401)
            #expect(proxied.emulator.requestLog.entries.isEmpty, "nothing was forwarded")
        }
    }

    @Test("the per-caller limit refuses with 429 and Retry-After before forwarding")
    func limited() async throws {
        let calls = Atomic<Int>(0)
        let limit: @Sendable (ProxyRequest) async -> ProxyLimitDecision = { request in
            calls.add(1, ordering: .relaxed)
            return request.headers["Authorization"] == ProxiedFal.session ? .refuse(retryAfter: .seconds(7)) : .allow
        }
        try await ProxiedFal.with(limit: limit) { proxied in
            let response = try await HTTPTransport().send(HTTPRequest(
                method: "POST", url: proxied.proxyURL,
                headers: HTTPHeaders([("x-fal-target-url", "https://queue.fal.run/fal-ai/illusion-diffusion"), ("Authorization", ProxiedFal.session)]),
                body: .data(Data("{}".utf8))))
            #expect(response.status == 429)
            #expect(response.headers["Retry-After"] == "7")
            #expect(proxied.emulator.requestLog.entries.isEmpty)
            #expect(calls.load(ordering: .relaxed) == 1)
        }
    }

    @Test("fal.platform through a proxy that opens the model catalogue: search passes, usage is refused")
    func platformCatalog() async throws {
        try await ProxiedFal.with(platformOperations: .catalog) { proxied in
            var ids: [String] = []
            for try await model in proxied.fal.platform.models(search: "illusion") { ids.append(model.endpointID) }
            #expect(ids == ["fal-ai/illusion-diffusion"])
            #expect(proxied.emulator.requestLog.entries.contains { $0.path == "/v1/models" && $0.status == 200 })
            let refused = await ProxiedFal.failure { () async throws(FalError) in
                for try await _ in proxied.fal.platform.usage(endpointIDs: ["fal-ai/illusion-diffusion"], expand: ["summary"]) {}
            }
            #expect(Self.status(of: refused) == 403, "usage is the account's: not in .catalog")
            #expect(!proxied.emulator.requestLog.entries.contains { $0.path.hasPrefix("/v1/models/usage") }, "refused before fal")
        }
    }

    @Test("fal.platform through a default proxy: refused, nothing reaches api.fal.ai")
    func platformRefusedByDefault() async throws {
        try await ProxiedFal.with { proxied in
            let refused = await ProxiedFal.failure { () async throws(FalError) in
                for try await _ in proxied.fal.platform.models(search: "illusion") {}
            }
            #expect(Self.status(of: refused) == 403)
            #expect(!proxied.emulator.requestLog.entries.contains { $0.path.hasPrefix("/v1/") })
        }
    }

    static func status(of error: FalError?) -> Int? {
        if case .http(let status, _, _, _) = error { return status }
        return nil
    }
}
