import Foundation
import Testing
@testable import FalRuntime

@Suite("the API key never leaks")
struct SecurityTests {
    static let secret = "sekret-id:sekret-value"

    @Test("descriptions, mirrors and errors never contain the key")
    func descriptions() async throws {
        let client = FalClient(configuration: FalConfiguration(credentials: FalCredentials(key: Self.secret), hosts: .emulator(FakeFal.baseURL)))
        let credentials = FalCredentials(key: Self.secret)
        for text in [client.description, String(describing: credentials), String(reflecting: credentials), String(describing: client.configuration),
                     String(reflecting: client.configuration)] {
            #expect(!text.contains("sekret"), "\(text)")
        }
        // The fake server rejects this key: the 401 error must not echo it either.
        let error = await #expect(throws: FalError.self) {
            _ = try await client.endpoint(TestModel.self).submit(TestModel.Input(prompt: "p"))
        }
        #expect(error.map { !String(describing: $0).contains("sekret") } == true)
        if case .http(let status, _, _, _)? = error { #expect(status == 401) } else { Issue.record("expected 401") }
    }

    @Test("a redirect off fal's hosts drops the key")
    func redirectDropsKey() async throws {
        let (options, _) = FakeFal.fault("redirect-offsite", latency: 0.01)
        let model = FakeFal.client().endpoint(TestModel.self)
        let submission = try await model.submit(TestModel.Input(prompt: "p"), options: options)
        try await Task.sleep(for: .milliseconds(30))
        let output = try await model.result(requestID: submission.requestID)
        #expect(output.seed == 7)
        let log = try await FakeFal.log()
        let result = try #require(log.last { $0.path == "/queue/fal-ai/test-model/requests/\(submission.requestID)" })
        #expect(result.has_key)
        let offsite = try #require(log.last { $0.path == "/offsite/result" })
        #expect(!offsite.has_key && offsite.auth == nil)
    }

    @Test("the key is refused for any URL outside the configured fal hosts")
    func refusesForeignHosts() async throws {
        let client = FakeFal.client()
        #expect(throws: FalError.self) { _ = try client.prepare(FalRequest(method: "GET", url: "https://evil.example/queue")) }
        #expect(throws: FalError.self) { _ = try client.prepare(FalRequest(method: "GET", url: FakeFal.baseURL + "/queueX/a")) }
        let allowed = try client.prepare(FalRequest(method: "GET", url: FakeFal.baseURL + "/queue/a/b"))
        #expect(allowed.headers["Authorization"] == "Key \(FakeFal.key)")
        let foreign = try client.prepare(FalRequest(method: "PUT", url: "https://storage.example/x", authorization: .none))
        #expect(foreign.headers["Authorization"] == nil)
    }

    @Test("proxy mode sends the target in x-fal-target-url and no key")
    func proxyMode() async throws {
        let configuration = FalConfiguration(credentials: FalCredentials(key: Self.secret), proxyURL: FakeFal.baseURL + "/proxy", hosts: .emulator(FakeFal.baseURL))
        let model = FalClient(configuration: configuration).endpoint(TestModel.self)
        let (options, faultID) = FakeFal.fault(nil, latency: 0.01)
        let output = try await model.subscribe(TestModel.Input(prompt: "via proxy"), options: options)
        #expect(output.prompt == "via proxy")
        let submit = try #require(try await FakeFal.log().first { $0.fault_id == faultID })
        #expect(submit.path == "/proxy/queue/fal-ai/test-model")
        #expect(submit.target == FakeFal.baseURL + "/queue/fal-ai/test-model")
        #expect(submit.auth == nil)
    }
}
