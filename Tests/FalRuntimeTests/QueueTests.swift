import Foundation
import Testing
@testable import FalRuntime

@Suite("queue protocol against the fake fal server")
struct QueueTests {
    let model = FakeFal.client().endpoint(TestModel.self)

    @Test("subscribe follows the status stream and returns the typed output with logs")
    func subscribeStream() async throws {
        // `observed`: the fake serves IN_QUEUE and IN_PROGRESS at least once each, however loaded the machine.
        let (options, _) = FakeFal.fault("observed", latency: 0.3)
        let updates = Recorder<QueueStatus>()
        let enqueued = Recorder<String>()
        let output = try await model.subscribe(
            TestModel.Input(prompt: "a cat", seed: 7), logs: true, options: options,
            onQueueUpdate: { updates.append($0) }, onEnqueue: { enqueued.append($0) })
        #expect(output.seed == 7)
        #expect(output.prompt == "a cat")
        #expect(updates.values.contains { if case .inQueue = $0 { true } else { false } })
        #expect(updates.values.contains { if case .inProgress(let logs) = $0 { logs.first?.message == "step 1" } else { false } })
        #expect(updates.values.last?.isCompleted == true)
        let requestID = try #require(enqueued.values.first)
        let paths = try await FakeFal.log().map(\.path).filter { $0.contains(requestID) }
        #expect(paths.contains { $0.hasSuffix("/status/stream") })
        #expect(!paths.contains { $0.hasSuffix("/status") }, "no polling while the stream works")
    }

    @Test("subscribe falls back to polling when the status stream is unavailable")
    func subscribePollingFallback() async throws {
        // IN_QUEUE, IN_PROGRESS and COMPLETED are each served once at least, so polling takes three polls.
        let (options, _) = FakeFal.fault("no-sse,observed", latency: 0.3)
        let enqueued = Recorder<String>()
        let updates = Recorder<QueueStatus>()
        let output = try await model.subscribe(
            TestModel.Input(prompt: "p"), options: options, onQueueUpdate: { updates.append($0) }, onEnqueue: { enqueued.append($0) })
        #expect(output.seed == 42)
        let requestID = try #require(enqueued.values.first)
        let paths = try await FakeFal.log().map(\.path).filter { $0.contains(requestID) }
        #expect(paths.filter { $0.hasSuffix("/status") }.count >= 3)
        #expect(updates.values.contains { if case .inProgress = $0 { true } else { false } })
    }

    @Test("subscribe continues by polling when the status stream drops")
    func subscribeStreamDrop() async throws {
        let (options, _) = FakeFal.fault("sse-drop", latency: 0.3)
        let updates = Recorder<QueueStatus>()
        _ = try await model.subscribe(TestModel.Input(prompt: "p"), options: options, onQueueUpdate: { updates.append($0) })
        #expect(updates.values.last?.isCompleted == true)
    }

    @Test("polling mode never opens the status stream")
    func pollingMode() async throws {
        let model = FakeFal.client(FakeFal.configuration(statusUpdates: .polling)).endpoint(TestModel.self)
        let (options, _) = FakeFal.fault(nil, latency: 0.1)
        let enqueued = Recorder<String>()
        _ = try await model.subscribe(TestModel.Input(prompt: "p"), options: options, onEnqueue: { enqueued.append($0) })
        let requestID = try #require(enqueued.values.first)
        let paths = try await FakeFal.log().map(\.path).filter { $0.contains(requestID) }
        #expect(!paths.contains { $0.hasSuffix("/status/stream") })
    }

    @Test("submit, status, result and cancel as separate calls; headers and webhook query as fal sends them")
    func explicitQueueCalls() async throws {
        var (options, faultID) = FakeFal.fault(nil, latency: 0.1)
        options.priority = .low
        options.runnerHint = "warm-1"
        options.startTimeout = .seconds(30)
        let submission = try await model.submit(TestModel.Input(prompt: "p"), webhookURL: "http://127.0.0.1:9/hook?a=1", options: options)
        #expect(submission.statusURL?.hasSuffix("/requests/\(submission.requestID)/status") == true)
        let submit = try #require(try await FakeFal.log().first { $0.fault_id == faultID })
        #expect(submit.headers["x-fal-queue-priority"] == "low")
        #expect(submit.headers["x-fal-runner-hint"] == "warm-1")
        #expect(submit.headers["x-fal-request-timeout"] == "30.0")
        var status = try await model.status(requestID: submission.requestID, logs: true)
        while !status.isCompleted {
            try await Task.sleep(for: .milliseconds(20))
            status = try await model.status(requestID: submission.requestID, logs: true)
        }
        let output = try await model.result(requestID: submission.requestID)
        #expect(output.images.first?.width == 8)
        try await model.cancel(requestID: submission.requestID)
        let paths = try await FakeFal.log().map(\.path).filter { $0.contains(submission.requestID) }
        #expect(paths.contains("/queue/fal-ai/test-model/requests/\(submission.requestID)/cancel"))
    }

    @Test("status updates are an AsyncSequence ending at completion")
    func statusUpdatesSequence() async throws {
        let (options, _) = FakeFal.fault(nil, latency: 0.2)
        let submission = try await model.submit(TestModel.Input(prompt: "p"), options: options)
        var seen: [QueueStatus] = []
        for try await status in model.statusUpdates(requestID: submission.requestID) { seen.append(status) }
        #expect(seen.last?.isCompleted == true)
        #expect(seen.dropLast().allSatisfy { !$0.isCompleted })
    }

    @Test("namespaced ids submit with the full path but follow the request with namespace/owner/alias only")
    func namespacedIDs() async throws {
        let client = FakeFal.client()
        let (options, _) = FakeFal.fault(nil, latency: 0.05)
        let output: TestModel.Output = try await client.subscribe(
            "workflows/someone/flow/run", input: TestModel.Input(prompt: "p"), options: options)
        #expect(output.seed == 42)
        let log = try await FakeFal.log()
        #expect(log.contains { $0.method == "POST" && $0.path == "/queue/workflows/someone/flow/run" })
        #expect(log.contains { $0.path.hasPrefix("/queue/workflows/someone/flow/requests/") })
    }

    @Test("sync run and streaming run")
    func runAndStream() async throws {
        let output = try await model.run(TestModel.Input(prompt: "now", seed: 3))
        #expect(output.seed == 3)
        var seeds: [Int] = []
        for try await partial in try await model.stream(TestModel.Input(prompt: "s")) { seeds.append(partial.seed) }
        #expect(seeds == [0, 1, 2])
    }

    // Regression (ClientFuzz): a `status_url` on the queue host with a CR/LF in it was followed as it was; now it is
    // not followed (the URL built from the endpoint id is used), so the subscribe goes on, and nothing sends it.
    @Test("status, result and cancel URLs with control characters are not followed")
    func submissionURLsWithControlCharacters() async throws {
        let transport = StubTransport { request, _ in
            if request.method == "POST" {
                return .response(200, [], #"{"request_id":"r","status_url":"https://queue.fal.run/fal-ai/test-model/requests/r\r\nX: 1/status","response_url":"https://queue.fal.run/fal-ai/test-model/requests/r\u0000"}"#)
            }
            return .response(200, [], request.url.hasSuffix("/status") ? #"{"status":"COMPLETED"}"# : #"{"seed":7}"#)
        }
        let client = FalClient(configuration: FalConfiguration(credentials: FalCredentials(key: "k:s"), statusUpdates: .polling), transport: transport)
        let output = try await client.subscribe("fal-ai/test-model", input: TestModel.Input(prompt: "p"), as: JSONValue.self)
        #expect(output["seed"] == .int(7))
        #expect(transport.requests.map(\.url) == [
            "https://queue.fal.run/fal-ai/test-model", "https://queue.fal.run/fal-ai/test-model/requests/r/status",
            "https://queue.fal.run/fal-ai/test-model/requests/r",
        ])
    }
}
