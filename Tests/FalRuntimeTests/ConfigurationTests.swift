import Foundation
import Testing
@testable import FalRuntime

@Suite("configuration, ids and retry rules")
struct ConfigurationTests {
    @Test("credentials come from FAL_KEY, or FAL_KEY_ID + FAL_KEY_SECRET")
    func environmentCredentials() {
        #expect(FalCredentials.fromEnvironment(["FAL_KEY": "abc:def"]) == FalCredentials(key: "abc:def"))
        #expect(FalCredentials.fromEnvironment(["FAL_KEY_ID": "id", "FAL_KEY_SECRET": "secret"])?.authorizationHeaderValue == "Key id:secret")
        #expect(FalCredentials.fromEnvironment(["FAL_KEY_ID": "id"]) == nil)
        let configuration = FalConfiguration.fromEnvironment(["FAL_KEY": "k", "FAL_BASE_URL": "http://127.0.0.1:9/"])
        #expect(configuration.hosts.queue == "http://127.0.0.1:9/queue")
        #expect(configuration.hosts.cdn == "http://127.0.0.1:9/cdn")
    }

    @Test("endpoint ids split like fal's clients: namespaces, subpaths, legacy numeric ids")
    func endpointPaths() throws {
        let plain = try EndpointPath("fal-ai/fast-sdxl/image-to-image")
        #expect(plain.app == "fal-ai/fast-sdxl")
        #expect(plain.full == "fal-ai/fast-sdxl/image-to-image")
        let workflow = try EndpointPath("workflows/someone/my-flow/run")
        #expect(workflow.app == "workflows/someone/my-flow")
        #expect(workflow.full == "workflows/someone/my-flow/run")
        #expect(try EndpointPath("1234-my-app").app == "1234/my-app")
        #expect(try EndpointPath("comfy/someone/flow").app == "comfy/someone/flow")
        #expect(try EndpointPath("fal-ai/flux/").full == "fal-ai/flux")
        #expect(try EndpointPath("fal-ai/flux//dev").full == "fal-ai/flux//dev")
        #expect(try EndpointPath("fal-ai/flux-lora/stream/x").app == "fal-ai/flux-lora")
        for invalid in ["nonsense", "", "/", "/alias", "owner/", "workflows/someone", "workflows//flow", "12-", "-app", "12a-app"] {
            #expect(throws: FalError.self, "\(invalid)") { try EndpointPath(invalid) }
        }
    }

    @Test("backoff grows exponentially from the base, with jitter, capped at the maximum")
    func backoff() {
        let policy = RetryPolicy()
        for attempt in 1...12 {
            let delay = policy.delay(afterAttempt: attempt)
            let nominal = min(0.1 * pow(2, Double(attempt - 1)), 30)
            let seconds = delay.inSeconds
            #expect(seconds >= nominal * 0.5 - 1e-9 && seconds <= min(nominal * 1.5, 30) + 1e-9, "attempt \(attempt): \(seconds)")
        }
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(2)) == .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(99)) == .seconds(30))
    }

    @Test("which answers are retried: 408/409/429, ingress 5xx without a request id, not user timeouts")
    func retryClassification() {
        let policy = RetryPolicy()
        func response(_ status: Int, _ headers: [(String, String)] = [], _ body: String = "") -> HTTPResponse {
            HTTPResponse(status: status, headers: HTTPHeaders(headers.map { (name: $0.0, value: $0.1) }), body: Data(body.utf8))
        }
        #expect(policy.shouldRetry(response(429)))
        #expect(policy.shouldRetry(response(408)))
        #expect(policy.shouldRetry(response(503, [], "<center>nginx</center>")))
        #expect(!policy.shouldRetry(response(503, [("x-fal-request-id", "r")], "<center>nginx</center>")))
        #expect(!policy.shouldRetry(response(503, [], "{\"detail\":\"down\"}")))
        #expect(!policy.shouldRetry(response(504, [("X-Fal-Request-Timeout-Type", "user")], "nginx")))
        #expect(!policy.shouldRetry(response(500)))
        #expect(RetryPolicy.retryAfter(response(429, [("Retry-After", "1.5")])) == .milliseconds(1500))
    }

    // Regression (issue 18): `Retry-After: inf` trapped in `Int64(seconds * 1000)` and killed the app; `1e15`
    // asked for a sleep of 31,000 years. Only digits count, and every delay ends at the policy's maximum.
    @Test("a hostile Retry-After neither traps nor delays past maxDelay",
          arguments: ["inf", "-inf", "nan", "1e20", "1e15", "-1", "0x10", " 12 ", "99999999999999999999999999999",
                      "Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "١٢", String(repeating: "9", count: 5000)])
    func hostileRetryAfter(_ value: String) {
        let policy = RetryPolicy(maxDelay: .seconds(7))
        let response = HTTPResponse(status: 429, headers: HTTPHeaders([(name: "Retry-After", value: value)]), body: Data())
        let parsed = RetryPolicy.retryAfter(response)
        if let parsed { #expect(parsed >= .zero && parsed <= .seconds(RetryPolicy.longestDelaySeconds), "\(value): \(parsed)") }
        if ["inf", "-inf", "nan", "1e20", "1e15", "-1", "0x10", "١٢"].contains(value) { #expect(parsed == nil, "\(value) is not delta-seconds") }
        let delay = policy.delay(afterAttempt: 3, retryAfter: parsed)
        #expect(delay >= .zero && delay <= .seconds(7), "\(value): \(delay)")
    }

    @Test("policies with extreme values give bounded delays, never a trap")
    func extremePolicies() {
        let policies = [
            RetryPolicy(baseDelay: .seconds(Int64.max / 4), maxDelay: .seconds(Int64.max / 4)),
            RetryPolicy(baseDelay: .seconds(-5), maxDelay: .seconds(-5)),
            RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(60), jitter: 1e300...1e308),
            // Regression (ClientFuzz): ranges without a finite width trapped in `Double.random(in:)`.
            RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(60), jitter: 0...Double.infinity),
            RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(60), jitter: -Double.infinity...Double.infinity),
            RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(60), jitter: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude),
        ]
        for policy in policies {
            for attempt in [Int.min, -1, 0, 1, 64, Int.max] {
                let delay = policy.delay(afterAttempt: attempt)
                #expect(delay >= .zero && delay <= .seconds(RetryPolicy.longestDelaySeconds), "\(policy) attempt \(attempt): \(delay)")
            }
        }
    }

    // Regression (ClientFuzz): a 408 on a status poll, retried under a policy whose jitter range has no finite width
    // (`0...Double.infinity`), trapped in `Double.random(in:)`: the backoff of any retry killed the process.
    @Test("a retry under a jitter range without a finite width is backed off by maxDelay, no trap")
    func unboundedJitterRetry() async throws {
        let transport = StubTransport { _, number in
            number == 0 ? .response(408, [], "") : .response(200, [], #"{"status":"IN_PROGRESS"}"#)
        }
        let retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5), jitter: 0...Double.infinity)
        let client = FalClient(configuration: FalConfiguration(credentials: FalCredentials(key: "k:s"), retry: retry), transport: transport)
        #expect(try await client.status("fal-ai/test-model", requestID: "r") == .inProgress(logs: []))
        #expect(transport.requests.count == 2)
    }

    // Regression (ClientFuzz): `subscribe(timeout: .seconds(.max))` (a caller's "no limit") trapped in `Task.sleep`,
    // whose deadline's seconds overflow `Int64`; so did a `pollInterval` that large, and a request timeout that
    // large in either transport (URLSession's timers sleep for it, libcurl's milliseconds overflowed).
    @Test("durations beyond the clock's range wait at most a year, never trap")
    func extremeDurations() async throws {
        let answers = StubTransport { request, _ in
            switch request.method {
            case "POST": return .response(200, [], #"{"request_id":"r"}"#)
            case "PUT": return .response(202, [], "{}")
            default: return .response(200, [], request.url.hasSuffix("/status") ? #"{"status":"COMPLETED"}"# : #"{"seed":1}"#)
            }
        }
        let configuration = FalConfiguration(credentials: FalCredentials(key: "k:s"), statusUpdates: .polling)
        let client = FalClient(configuration: configuration, transport: answers)
        let output = try await client.subscribe("fal-ai/test-model", input: TestModel.Input(prompt: "p"), as: JSONValue.self, timeout: .seconds(Int64.max))
        #expect(output["seed"] == .int(1))
        let error = await #expect(throws: FalError.self) {
            _ = try await client.subscribe("fal-ai/test-model", input: TestModel.Input(prompt: "p"), as: JSONValue.self, timeout: .seconds(Int64.min))
        }
        guard case .timeout? = error else { Issue.record("a negative timeout has passed at once: \(String(describing: error))"); return }

        // A poll interval of .seconds(.max): the loop sleeps (a year at most) until the consumer goes away.
        let inProgress = StubTransport { _, _ in .response(200, [], #"{"status":"IN_PROGRESS"}"#) }
        let polling = FalClient(
            configuration: FalConfiguration(credentials: FalCredentials(key: "k:s"), pollInterval: .seconds(Int64.max), statusUpdates: .polling),
            transport: inProgress)
        for try await status in polling.statusUpdates("fal-ai/test-model", requestID: "r") {
            #expect(status == .inProgress(logs: []))
            break
        }

        #expect(Duration.seconds(Int64.max).wholeMilliseconds == .max && Duration.seconds(Int64.min).wholeMilliseconds == .min)
        for kind in TransportUnderTest.selected {
            let request = HTTPRequest(
                method: "GET", url: "http://127.0.0.1:1/", timeout: .seconds(Int64.max), connectTimeout: .seconds(Int64.max),
                idleTimeout: .seconds(Int64.max))
            await #expect(throws: (any Error).self, "\(kind): nothing listens on port 1") { _ = try await kind.transport.send(request) }
        }
    }
}
