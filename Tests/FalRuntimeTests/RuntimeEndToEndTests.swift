import Crypto
import FalEmulator
import Foundation
import Testing
@testable import FalRuntime

/// FalRuntime against the in-process fal emulator: the protocol paths the fake server cannot vouch for
/// (status stream vs polling as the emulator serves them, remote cancel, real signed webhook deliveries,
/// fal-shaped 422s and 401s, streaming, uploads). Each test starts its own emulator on a free 127.0.0.1 port
/// and runs once per transport (libcurl and URLSession); uploads stay small, so the emulators stay small
/// beside the runtime suite's peak-memory check.
///
/// With `FAL_TEST_TLS=1` (`make tls`) every test puts its emulator behind a TLS front (nginx, HTTP/2 and
/// HTTP/1.1: scripts/lib/tls-front.sh) and the client reaches it over https:// only, trusting the test CA:
/// HTTPTransport through `TLSOptions.trustedCertificatesPath`, URLSession through the system store (`make tls`
/// adds the CA to it in a private mount namespace; Linux's FoundationNetworking has no other way).
@Suite struct RuntimeEndToEndTests {
    static let transports = TransportUnderTest.selected
    static let overTLS = ProcessInfo.processInfo.environment["FAL_TEST_TLS"] == "1"

    static let key = "runtime-e2e-key"
    static let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schemas")
    static let endpoint = "fal-ai/illusion-diffusion"
    static let input: JSONValue = ["prompt": "a castle", "image_url": "https://example.com/p.png", "image_size": "square", "seed": 4]

    /// The illusion-diffusion output fields these tests read, declared locally (no generated SDK here).
    enum Illusion: FalEndpoint {
        static let id = RuntimeEndToEndTests.endpoint
        typealias Input = JSONValue
        struct Output: FalOutput {
            struct Image: Decodable, Sendable { var url: String; var width: Int?; var height: Int? }
            var image: Image
            var seed: Int
        }
    }

    func withEmulator<T>(
        _ transport: TransportUnderTest = .libcurl, key: String = RuntimeEndToEndTests.key,
        statusUpdates: FalConfiguration.StatusUpdateMode = .streamWithPollingFallback, multipartThreshold: Int64 = 100 * 1024 * 1024,
        _ body: (FalClient, FalEmulator, String) async throws -> T
    ) async throws -> T {
        let emulator = try FalEmulator(configuration: .init(
            host: "127.0.0.1", port: 0, apiKey: Self.key, schemasDirectory: Self.schemas, controls: .immediate))
        var base = try await emulator.start().absoluteString
        defer { Task { await emulator.stop() } }
        var front: TLSFront?
        if Self.overTLS {
            front = try TLSFront(upstream: base)
            base = front!.url
        }
        defer {
            if let front {
                front.stop()
                // Every request of the test went through the front, libcurl's over HTTP/2.
                let log = front.accessLog()
                #expect(!log.isEmpty)
                if transport == .libcurl { #expect(log.allSatisfy { $0.httpVersion == "HTTP/2.0" }, "\(log.map(\.httpVersion))") }
            }
        }
        let configuration = FalConfiguration(
            credentials: FalCredentials(key: key), hosts: .emulator(base), retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10)),
            pollInterval: .milliseconds(20), statusUpdates: statusUpdates, multipartThreshold: multipartThreshold,
            multipartChunkSize: 5 * 1024 * 1024)
        let client = transport.transport(trusting: Self.overTLS ? TLSFront.material.caBundle : nil)
        return try await body(FalClient(configuration: configuration, transport: client), emulator, base)
    }

    static func latency(_ milliseconds: Int) -> RequestOptions {
        RequestOptions(headers: ["X-Fal-Emulator-Latency-Ms": String(milliseconds)])
    }

    @Test(arguments: transports) func subscribeUsesTheStatusStreamByDefault(_ transport: TransportUnderTest) async throws {
        try await withEmulator(transport) { fal, emulator, _ in
            let output = try await fal.endpoint(Illusion.self).subscribe(Self.input, options: Self.latency(300))
            #expect(output.seed == 4 && output.image.width == 512)
            let operations = emulator.requestLog.entries.compactMap(\.operation)
            #expect(operations.contains(.statusStream))
            #expect(!operations.contains(.status))
        }
    }

    @Test(arguments: transports) func pollingModePollsAndNeverStreams(_ transport: TransportUnderTest) async throws {
        try await withEmulator(transport, statusUpdates: .polling) { fal, emulator, _ in
            let updates = Recorder<QueueStatus>()
            _ = try await fal.endpoint(Illusion.self).subscribe(Self.input, options: Self.latency(1_500), onQueueUpdate: { updates.append($0) })
            let operations = emulator.requestLog.entries.compactMap(\.operation)
            // How many polls fit in the latency depends on the machine's load; what does not: every poll is
            // reported, polling went on while the request was unfinished, and stopped once it completed.
            // (QueueTests.subscribePollingFallback shows repeated polls with phases the server holds.)
            let polls = operations.filter { $0 == .status }.count
            #expect(polls >= 1 && polls == updates.values.count)
            #expect(updates.values.dropLast().allSatisfy { !$0.isCompleted })
            #expect(!operations.contains(.statusStream))
            #expect(updates.values.last?.isCompleted == true)
        }
    }

    @Test(arguments: transports) func cancellingTheTaskCancelsTheRemoteRequest(_ transport: TransportUnderTest) async throws {
        try await withEmulator(transport) { fal, emulator, _ in
            let enqueued = Recorder<String>()
            let model = fal.endpoint(Illusion.self)
            let task = Task { try await model.subscribe(Self.input, options: Self.latency(30_000), onEnqueue: { enqueued.append($0) }) }
            for _ in 0..<500 where enqueued.values.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            let requestID = try #require(enqueued.values.first)
            task.cancel()
            let result = await task.result
            #expect(throws: FalError.cancelled(requestID: requestID)) { try result.get() }
            #expect(emulator.requestLog.entries.contains { $0.operation == .cancel })
        }
    }

    @Test(arguments: transports) func serverValidationMapsToFieldPaths(_ transport: TransportUnderTest) async throws {
        try await withEmulator(transport) { fal, _, _ in
            // JSONValue input skips local validation, so the emulator's 422 is what comes back.
            let bad: JSONValue = ["image_url": "https://example.com/p.png", "seed": "not a number"]
            do {
                _ = try await fal.run(Self.endpoint, input: bad, as: JSONValue.self)
                Issue.record("expected a 422")
            } catch let error as FalError {
                guard case .validation(let issues) = error else { Issue.record("expected validation, got \(error)"); return }
                #expect(issues.contains { $0.path.description == "prompt" })
                #expect(issues.contains { $0.path.description == "seed" })
            }
        }
    }

    @Test(arguments: transports) func aWrongKeyIsA401ThatNeverEchoesTheKey(_ transport: TransportUnderTest) async throws {
        try await withEmulator(transport, key: "sekret-wrong-key") { fal, _, _ in
            do {
                _ = try await fal.submit(Self.endpoint, input: Self.input)
                Issue.record("expected a 401")
            } catch let error as FalError {
                guard case .http(let status, _, _, _) = error else { Issue.record("expected HTTP error, got \(error)"); return }
                #expect(status == 401)
                #expect(!String(describing: error).contains("sekret"))
            }
        }
    }

    @Test(arguments: transports) func streamingEndpointYieldsPartialOutputs(_ transport: TransportUnderTest) async throws {
        try await withEmulator(transport) { fal, _, _ in
            var events: [JSONValue] = []
            for try await event in try await fal.stream(Self.endpoint, input: Self.input, as: JSONValue.self) { events.append(event) }
            #expect(!events.isEmpty)
        }
    }

    @Test(arguments: transports) func signedWebhookDeliveriesVerifyAndTamperedOrStaleOnesDoNot(_ transport: TransportUnderTest) async throws {
        try await withEmulator(transport) { fal, _, _ in
            let submission = try await fal.submit(Self.endpoint, input: Self.input, webhookURL: FakeFal.baseURL + "/hook")
            var delivery: (headers: [String: String], body: Data)?
            for _ in 0..<500 where delivery == nil {
                delivery = try await FakeFal.hook(requestID: submission.requestID)
                if delivery == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let (headers, body) = try #require(delivery)
            let verifier = fal.webhookVerifier()  // the key set through the client's transport
            let verified = try await verifier.verify(Illusion.self, headers: headers, body: body)
            #expect(verified.requestID == submission.requestID)
            #expect(try verified.output().seed == 4)

            var tampered = body
            tampered.append(contentsOf: Array(" ".utf8))
            await #expect(throws: FalError.self) { try await verifier.verify(headers: headers, body: tampered) }
            await #expect(throws: FalError.self) { try await verifier.verify(headers: headers, body: body, now: Date().addingTimeInterval(600)) }
        }
    }

    /// Small enough to stay beside StorageTests' peak-memory check in the same process: 5.5 MiB in a 5 MiB
    /// part and a 0.5 MiB part, written to disk in pieces, compared by digest.
    @Test(arguments: transports) func uploadsDirectAndMultipartAreServedBack(_ transport: TransportUnderTest) async throws {
        try await withEmulator(transport, multipartThreshold: 1024 * 1024) { fal, emulator, _ in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString).bin").path
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            var digest = SHA256()
            for block in 0..<11 {
                let piece = Data((0..<(512 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ block) })
                digest.update(data: piece)
                try handle.write(contentsOf: piece)
            }
            try handle.close()
            let small = Data("small file".utf8)
            let smallURL = try await fal.storage.upload(small, contentType: "text/plain", fileName: "small.txt")
            let largeURL = try await fal.storage.upload(fileAt: path)
            #expect(try await fal.transport.send(HTTPRequest(method: "GET", url: smallURL)).body == small)
            let served = try await fal.transport.send(HTTPRequest(method: "GET", url: largeURL)).body
            #expect(served.count == 11 * 512 * 1024)
            #expect(sha256Hex(served) == digest.finalize().map { String(format: "%02x", $0) }.joined())
            let parts = emulator.requestLog.entries.filter { $0.method == "PUT" && $0.path.contains("/multipart/") }
            #expect(parts.count == 2)
        }
    }
}
