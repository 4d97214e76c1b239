import FalEmulator
import Foundation
import Testing
@testable import FalRuntime

/// TLS and HTTP/2 as fal serves them: the emulator behind nginx (TLS 1.2/1.3, ALPN h2 and http/1.1), the
/// client given the test CA. Certificate validation stays on (another name, another CA: refused with
/// `TransportErrorKind.tls`, nothing reaches the server, nothing is retried), and libcurl negotiates HTTP/2
/// and multiplexes concurrent requests over one connection. Needs nginx and openssl (`make system-deps`);
/// run by `make tls`.
@Suite(.serialized) struct TLSTests {
    static let transports = TransportUnderTest.selected
    /// Whether the system store trusts the test CA (`make tls` arranges it in a mount namespace): only then
    /// can URLSession on Linux reach the trusted front.
    static let systemTrustsTestCA = ProcessInfo.processInfo.environment["FAL_TEST_TLS_SYSTEM_TRUST"] == "1"

    static let input: JSONValue = ["prompt": "a castle", "image_url": "https://example.com/p.png", "image_size": "square", "seed": 4]

    func withFront<T>(
        certificates: String = TLSFront.material.trusted, _ body: (String, FalEmulator, TLSFront) async throws -> T
    ) async throws -> T {
        let emulator = try FalEmulator(configuration: .init(
            host: "127.0.0.1", port: 0, apiKey: RuntimeEndToEndTests.key, schemasDirectory: RuntimeEndToEndTests.schemas, controls: .immediate))
        let base = try await emulator.start().absoluteString
        defer { Task { await emulator.stop() } }
        let front = try TLSFront(upstream: base, certificates: certificates)
        defer { front.stop() }
        return try await body(front.url, emulator, front)
    }

    func client(_ base: String, _ transport: any Transport) -> FalClient {
        FalClient(configuration: FalConfiguration(
            credentials: FalCredentials(key: RuntimeEndToEndTests.key), hosts: .emulator(base),
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10)), pollInterval: .milliseconds(20)), transport: transport)
    }

    /// A refused certificate: `.tls`, a message naming TLS and the certificate, one attempt, nothing proxied.
    func expectRefused(certificates: String, _ kind: TransportUnderTest) async throws {
        try await withFront(certificates: certificates) { base, emulator, front in
            let fal = client(base, kind.transport(trusting: TLSFront.material.caBundle))
            do {
                _ = try await fal.submit(RuntimeEndToEndTests.endpoint, input: Self.input)
                Issue.record("expected the certificate to be refused")
            } catch let error as FalError {
                guard case .transport(let errorKind, let message, _) = error else { Issue.record("expected a transport error, got \(error)"); return }
                #expect(errorKind == .tls, "\(error)")
                #expect(message.contains("TLS") && message.lowercased().contains("certificate"), "\(message)")
            }
            front.stop()
            #expect(front.accessLog().isEmpty)
            #expect(emulator.requestLog.entries.isEmpty)
        }
    }

    @Test(arguments: transports) func aCertificateForAnotherNameIsRefused(_ kind: TransportUnderTest) async throws {
        try await expectRefused(certificates: TLSFront.material.otherName, kind)
    }

    @Test(arguments: transports) func aCertificateFromAnUntrustedCAIsRefused(_ kind: TransportUnderTest) async throws {
        try await expectRefused(certificates: TLSFront.material.untrusted, kind)
    }

    /// Without the CA, the system store does not trust the front either (the default is verification on).
    @Test(.enabled(if: !systemTrustsTestCA)) func theDefaultTrustStoreRefusesThePrivateCA() async throws {
        try await withFront { base, _, _ in
            do {
                _ = try await client(base, HTTPTransport()).submit(RuntimeEndToEndTests.endpoint, input: Self.input)
                Issue.record("expected the private CA to be refused")
            } catch {
                guard case .transport(.tls, _, _)? = error as? FalError else { Issue.record("expected a TLS error, got \(error)"); return }
            }
        }
    }

    /// 20 concurrent subscribes (submit, status stream, result) over libcurl: HTTP/2, one connection, one handshake.
    @Test func libcurlNegotiatesHTTP2AndMultiplexesOneConnection() async throws {
        try await withFront { base, _, front in
            let fal = client(base, HTTPTransport(tls: TLSOptions(trustedCertificatesPath: TLSFront.material.caBundle)))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let output = try await fal.subscribe(
                            RuntimeEndToEndTests.endpoint, input: Self.input, as: JSONValue.self, options: RuntimeEndToEndTests.latency(200))
                        #expect(output["seed"] == .int(4))
                    }
                }
                try await group.waitForAll()
            }
            front.stop()
            let log = front.accessLog()
            #expect(log.count >= 60)
            #expect(log.allSatisfy { $0.httpVersion == "HTTP/2.0" })
            #expect(Set(log.map(\.connection)).count == 1, "connections: \(Set(log.map(\.connection)))")
        }
    }

    /// Realtime over wss: the token request and the WebSocket both trust the CA the transport was given (one
    /// setting, not two), and a WebSocket to a front whose CA the transport does not trust is refused.
    @Test func realtimeOverWSSTrustsTheTransportsCA() async throws {
        try await withFront { base, _, _ in
            let fal = client(base, HTTPTransport(tls: TLSOptions(trustedCertificatesPath: TLSFront.material.caBundle)))
            let connection = try await fal.realtime(RuntimeEndToEndTests.endpoint, options: RealtimeOptions(throttle: .zero))
            var outputs = connection.outputs.makeAsyncIterator()
            try await connection.send(Self.input)
            #expect(try await outputs.next()?["seed"] == .int(4))
            await connection.close()
        }
        try await withFront(certificates: TLSFront.material.untrusted) { base, _, _ in
            let tokens: RealtimeTokenProvider = { _ in "a-token-from-the-apps-server" }
            let fal = client(base, HTTPTransport(tls: TLSOptions(trustedCertificatesPath: TLSFront.material.caBundle)))
            await #expect(throws: FalError.self) {
                _ = try await fal.realtime(RuntimeEndToEndTests.endpoint, options: RealtimeOptions(throttle: .zero, tokenProvider: tokens))
            }
        }
    }

    /// `.http1_1` is honoured (the measurement's baseline): HTTP/1.1 on the wire.
    @Test func libcurlKeepsToHTTP11WhenAsked() async throws {
        try await withFront { base, _, front in
            let fal = client(base, HTTPTransport(tls: TLSOptions(trustedCertificatesPath: TLSFront.material.caBundle, httpVersion: .http1_1)))
            _ = try await fal.subscribe(RuntimeEndToEndTests.endpoint, input: Self.input, as: JSONValue.self)
            front.stop()
            let log = front.accessLog()
            #expect(!log.isEmpty && log.allSatisfy { $0.httpVersion == "HTTP/1.1" })
        }
    }

    /// URLSession reaches the trusted front when the system store holds the CA (Linux), and says which version it used.
    @Test(.enabled(if: systemTrustsTestCA)) func urlSessionOverTLS() async throws {
        try await withFront { base, _, front in
            let fal = client(base, URLSessionTransport())
            _ = try await fal.subscribe(RuntimeEndToEndTests.endpoint, input: Self.input, as: JSONValue.self)
            front.stop()
            let log = front.accessLog()
            #expect(!log.isEmpty)
            print("URLSession over TLS: \(Set(log.map(\.httpVersion)))")
        }
    }
}

/// What HTTP/2 adds, against a server that misbehaves on purpose (Fixtures/hostile_h2.py): a GOAWAY before the
/// request is processed, a GOAWAY in the middle of the answer, a stream reset, a connection that never opens
/// its flow-control window. Each submit (a billed request, `sendsAtMostOnce`) ends in an error, and the server
/// received it exactly once although the policy allows 3 attempts.
@Suite(.serialized) struct HTTP2HostileTests {
    static var transports: [TransportUnderTest] {
        TLSTests.systemTrustsTestCA ? TransportUnderTest.selected : TransportUnderTest.selected.filter { $0 == .libcurl }
    }

    func submitOnce(_ segment: String, _ kind: TransportUnderTest, input: JSONValue = TLSTests.input) async throws -> FalError? {
        let transport = kind.transport(trusting: TLSFront.material.caBundle)
        let fal = FalClient(configuration: FalConfiguration(
            credentials: FalCredentials(key: "k"), hosts: .emulator(HostileH2.baseURL + "/" + segment),
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10)), requestTimeout: .seconds(4)), transport: transport)
        let before = try await HostileH2.posts()[segment] ?? 0
        var caught: FalError?
        do {
            _ = try await fal.submit("fal-ai/illusion-diffusion", input: input)
            Issue.record("expected \(segment) to fail")
        } catch {
            caught = error
        }
        let after = try await HostileH2.posts()[segment] ?? 0
        #expect(after - before == 1, "\(segment) over \(kind): the server received \(after - before) POSTs")
        print("HTTP/2 \(segment) over \(kind): \(caught.map { "\($0)" } ?? "no error"); POSTs received: \(after - before)")
        return caught
    }

    @Test(arguments: transports) func goawayBeforeTheRequestWasProcessed(_ kind: TransportUnderTest) async throws {
        let error = try await submitOnce("goaway-early", kind)
        guard case .transport = error else { Issue.record("expected a transport error, got \(String(describing: error))"); return }
    }

    @Test(arguments: transports) func goawayInTheMiddleOfTheAnswer(_ kind: TransportUnderTest) async throws {
        let error = try await submitOnce("goaway-mid", kind)
        guard case .transport = error else { Issue.record("expected a transport error, got \(String(describing: error))"); return }
    }

    @Test(arguments: transports) func streamReset(_ kind: TransportUnderTest) async throws {
        let error = try await submitOnce("rst", kind)
        guard case .transport = error else { Issue.record("expected a transport error, got \(String(describing: error))"); return }
    }

    /// 256 KiB of input against a 64 KiB window that never opens: the deadline ends it (`.timeout`), not resent.
    @Test(arguments: transports) func flowControlStall(_ kind: TransportUnderTest) async throws {
        let input: JSONValue = ["prompt": .string(String(repeating: "x", count: 256 * 1024)), "image_url": "https://example.com/p.png"]
        let error = try await submitOnce("stall", kind, input: input)
        guard case .transport(.timeout, _, _) = error else { Issue.record("expected a timeout, got \(String(describing: error))"); return }
    }
}
