import FalSDK
import Foundation

/// Benchmarks (a)–(c): queue round trips, concurrent subscribes, completion → result latency.
struct QueueBenchmarks {
    static let endpoint = "fal-ai/illusion-diffusion"
    static let app = "fal-ai/illusion-diffusion"
    /// The request as every client sends it: the generated SDK's typed input for FalRuntime, its JSON for the peers.
    static let input = IllusionDiffusion.Input(imageURL: "https://example.com/pattern.png", prompt: "a castle", seed: 42, imageSize: .square)
    static let payload: JSONValue = [
        "prompt": "a castle", "image_url": "https://example.com/pattern.png", "image_size": "square", "seed": 42,
    ]
    /// Zero model latency and queue depth, per request (the emulator's control headers).
    static let zeroLatency = ["X-Fal-Emulator-Latency-Ms": "0", "X-Fal-Emulator-Queue-Depth": "0"]

    let baseURL: String
    let key: String
    let python: String
    let peerScript: String

    func client(_ mode: FalConfiguration.StatusUpdateMode = .streamWithPollingFallback, transport: any Transport = HTTPTransport()) -> FalClient {
        var configuration = FalConfiguration(key: key, hosts: .emulator(baseURL))
        configuration.statusUpdates = mode
        return FalClient(configuration: configuration, transport: transport)
    }

    var payloadText: String { String(decoding: try! JSONEncoder().encode(Self.payload), as: UTF8.self) }
    var headersText: String { String(decoding: try! JSONEncoder().encode(Self.zeroLatency), as: UTF8.self) }

    func roundTrips(iterations: Int) async throws -> Table {
        let options = RequestOptions(headers: Self.zeroLatency)
        let bare = BareCurl(key: key, extraHeaders: Self.zeroLatency.map { "\($0.key): \($0.value)" })
        let model = client().illusionDiffusion
        let urlSessionModel = client(transport: URLSessionTransport()).illusionDiffusion
        var swift = Samples()
        var urlSession = Samples()
        var floor = Samples()
        // Interleaved, one of each per round, so all see the same machine state (load drifts over a run).
        for index in 0..<(iterations + 10) {
            let start = ContinuousClock.now
            try await Self.roundTrip(model, options: options)
            let middle = ContinuousClock.now
            try bare.roundTrip(queue: baseURL + "/queue", endpoint: Self.endpoint, app: Self.app, payload: payloadText)
            let afterFloor = ContinuousClock.now
            try await Self.roundTrip(urlSessionModel, options: options)
            if index >= 10 {  // the first 10 warm the connections
                swift.add(start.duration(to: middle))
                floor.add(middle.duration(to: afterFloor))
                urlSession.add(afterFloor.duration(to: .now))
            }
        }

        let peer = try runCommand("/usr/bin/env", [python, peerScript, baseURL, key, "roundtrip", String(iterations), Self.endpoint, payloadText, headersText])
        let pythonSamples = Samples(values: (try JSONDecoder().decode([String: [Double]].self, from: Data(peer.utf8)))["samples_ms"] ?? [])

        var table = Table(title: "(a) submit → status → result round trip, \(iterations) sequential requests (ms)",
                          columns: ["client", "p50", "p99", "p50 vs floor"])
        let base = floor.percentile(50)
        for (name, samples) in [
            ("FalRuntime (FalClient, libcurl HTTPTransport)", swift), ("FalRuntime (FalClient, URLSessionTransport)", urlSession),
            ("bare libcurl (floor)", floor), ("fal-client 1.0.3 (Python)", pythonSamples),
        ] {
            table.rows.append([name, format(samples.percentile(50)), format(samples.percentile(99)), format(samples.percentile(50) / base) + "×"])
        }
        return table
    }

    /// One round trip as every FalClient figure measures it: submit, status until completed, result.
    /// Returns how many status requests it took.
    @discardableResult
    static func roundTrip(_ model: EndpointClient<IllusionDiffusion>, options: RequestOptions) async throws -> Int {
        let submission = try await model.submit(input, options: options)
        var statusRequests = 1
        while try await !model.status(requestID: submission.requestID).isCompleted { statusRequests += 1 }
        _ = try await model.result(requestID: submission.requestID)
        return statusRequests
    }

    func concurrentSubscribes(total: Int, workers: Int) async throws -> Table {
        let options = RequestOptions(headers: Self.zeroLatency)
        func rate(_ client: FalClient) async throws -> Double {
            let clock = ContinuousClock.now
            let completed = try await withThrowingTaskGroup(of: Int.self) { group in
                let perWorker = total / workers
                for _ in 0..<workers {
                    group.addTask {
                        for _ in 0..<perWorker {
                            _ = try await client.illusionDiffusion.subscribe(Self.input, options: options)
                        }
                        return perWorker
                    }
                }
                return try await group.reduce(0, +)
            }
            return Double(completed) / clock.duration(to: .now).inSeconds
        }
        let swiftRate = try await rate(client())
        let urlSessionRate = try await rate(client(transport: URLSessionTransport()))
        let peer = try runCommand("/usr/bin/env", [python, peerScript, baseURL, key, "concurrent", String(total), String(workers), Self.endpoint, payloadText, headersText])
        let answer = try JSONDecoder().decode([String: Double].self, from: Data(peer.utf8))
        let pythonRate = (answer["completed"] ?? 0) / (answer["seconds"] ?? .infinity)
        var table = Table(title: "(b) \(workers) concurrent subscribes, \(total) requests", columns: ["client", "requests/s", "vs Python"])
        table.rows.append(["FalRuntime (FalClient, libcurl HTTPTransport)", format(swiftRate, 1), format(swiftRate / pythonRate) + "×"])
        table.rows.append(["FalRuntime (FalClient, URLSessionTransport)", format(urlSessionRate, 1), format(urlSessionRate / pythonRate) + "×"])
        table.rows.append(["fal_client.AsyncClient 1.0.3", format(pythonRate, 1), "1.00×"])
        return table
    }

    /// Time from the request's completion (submit answer + model latency) until `subscribe` returns.
    func completionLatency(samples count: Int) async throws -> Table {
        let latencyMs = 250  // not a multiple of the 100 ms poll interval, so polling cannot line up with completion
        var headers = Self.zeroLatency
        headers["X-Fal-Emulator-Latency-Ms"] = String(latencyMs)
        let options = RequestOptions(headers: headers)
        var table = Table(title: "(c) completion → result latency, model latency \(latencyMs) ms, \(count) requests (ms)",
                          columns: ["status updates", "p50", "p99"])
        for (name, mode) in [("status stream (SSE)", FalConfiguration.StatusUpdateMode.streamWithPollingFallback), ("polling every 100 ms", .polling)] {
            let client = client(mode)
            var samples = Samples()
            for _ in 0..<count {
                let enqueued = EnqueueClock()
                _ = try await client.illusionDiffusion.subscribe(Self.input, options: options, onEnqueue: { _ in enqueued.mark() })
                let finished = ContinuousClock.now
                samples.add(enqueued.instant.duration(to: finished) - .milliseconds(latencyMs))
            }
            table.rows.append([name, format(samples.percentile(50)), format(samples.percentile(99))])
        }
        return table
    }
}

/// When submit answered, written from the `onEnqueue` callback.
final class EnqueueClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ContinuousClock.now
    func mark() { lock.withLock { value = .now } }
    var instant: ContinuousClock.Instant { lock.withLock { value } }
}
