import Foundation
import FalRuntime
import FalSDK

enum Probe {
    static func run(base: String) async throws {
        let url = base + "/queue/fal-ai/illusion-diffusion/requests/x/status"
        var headers = HTTPHeaders()
        headers.set("Authorization", "Key bench-key")
        let transport = HTTPTransport()
        for round in 0..<(Int(ProcessInfo.processInfo.environment["PROBE_ROUNDS"] ?? "3") ?? 3) {
            let cpu0 = processCPUSeconds()
            let start = ContinuousClock.now
            let only = ProcessInfo.processInfo.environment["PROBE_ONLY"]
            for _ in 0..<(only == "bare" ? 0 : 500) { _ = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers)) }
            let swift = start.duration(to: .now) / 500
            let cpu1 = processCPUSeconds()
            let bare = BareCurl(key: "bench-key", extraHeaders: [])
            let s2 = ContinuousClock.now
            for _ in 0..<(only == "transport" ? 0 : 500) { _ = try? bare.get(url) }
            let floor = s2.duration(to: .now) / 500
            let cpu2 = processCPUSeconds()
            print("round \(round): transport \(swift) (CPU \(format((cpu1 - cpu0) / 500 * 1e6, 1)) µs)  bare \(floor) (CPU \(format((cpu2 - cpu1) / 500 * 1e6, 1)) µs)")
        }
    }

    #if canImport(Glibc)
    private static let RUSAGE_SELF_ID = RUSAGE_SELF.rawValue
    #else
    private static let RUSAGE_SELF_ID = RUSAGE_SELF
    #endif

    /// User + system CPU time of this process (every thread), in seconds.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(Self.RUSAGE_SELF_ID, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// The benchmark endpoint on a client that polls (no status stream), as the round trips use it.
    private static func pollingModel(base: String) -> EndpointClient<IllusionDiffusion> {
        var configuration = FalConfiguration(key: "bench-key", hosts: .emulator(base))
        configuration.statusUpdates = .polling
        return FalClient(configuration: configuration).illusionDiffusion
    }

    /// FalClient round trips only (submit → status → result), for profiling the client's own overhead.
    static func client(base: String, count: Int) async throws {
        let model = pollingModel(base: base)
        let options = RequestOptions(headers: QueueBenchmarks.zeroLatency)
        let start = ContinuousClock.now
        for _ in 0..<count { try await QueueBenchmarks.roundTrip(model, options: options) }
        print("client round trip: \(start.duration(to: .now) / count)")
    }

    /// Interleaved round trips: FalClient vs HTTPTransport making the same three raw requests vs bare
    /// libcurl, splitting the client's overhead into its own work and the transport's thread hops.
    static func layers(base: String, count: Int) async throws {
        let model = pollingModel(base: base)
        let options = RequestOptions(headers: QueueBenchmarks.zeroLatency)
        let payload = Data(try JSONEncoder().encode(QueueBenchmarks.payload))
        var headers = HTTPHeaders()
        headers.set("Authorization", "Key bench-key")
        headers.set("Content-Type", "application/json")
        for (name, value) in QueueBenchmarks.zeroLatency { headers.set(name, value) }
        let transport = HTTPTransport()
        let bare = BareCurl(key: "bench-key", extraHeaders: QueueBenchmarks.zeroLatency.map { "\($0.key): \($0.value)" })
        let payloadText = String(decoding: payload, as: UTF8.self)
        var client = Samples(), raw = Samples(), floor = Samples()
        var clientPolls = 0
        for index in 0..<(count + 10) {
            let t0 = ContinuousClock.now
            clientPolls += try await QueueBenchmarks.roundTrip(model, options: options)
            let t1 = ContinuousClock.now
            let submitted = try await transport.send(HTTPRequest(method: "POST", url: base + "/queue/fal-ai/illusion-diffusion", headers: headers, body: .data(payload)))
            let id = (try JSONSerialization.jsonObject(with: submitted.body) as? [String: Any])?["request_id"] as? String ?? ""
            let url = base + "/queue/fal-ai/illusion-diffusion/requests/" + id
            while ((try JSONSerialization.jsonObject(with: try await transport.send(HTTPRequest(method: "GET", url: url + "/status", headers: headers)).body) as? [String: Any])?["status"] as? String) != "COMPLETED" {}
            _ = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers))
            let t2 = ContinuousClock.now
            try bare.roundTrip(queue: base + "/queue", endpoint: "fal-ai/illusion-diffusion", app: "fal-ai/illusion-diffusion", payload: payloadText)
            if index >= 10 {
                client.add(t0.duration(to: t1)); raw.add(t1.duration(to: t2)); floor.add(t2.duration(to: .now))
            }
        }
        print("status requests per round trip: FalClient \(Double(clientPolls) / Double(count + 10)), bare \(Double(bare.statusRequests) / Double(count + 10))")
        print("p50 ms: FalClient \(format(client.percentile(50)))  HTTPTransport \(format(raw.percentile(50)))  bare \(format(floor.percentile(50)))")
    }
}

extension Probe {
    /// CPU cost of the client layer's pieces without any I/O: validation, input encoding, output decoding.
    static func pieces(count: Int) throws {
        let input = QueueBenchmarks.input
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let output = Data(#"{"image":{"url":"http://127.0.0.1:1/cdn/files/generated/1-0-512x512.png","content_type":"image/png","file_name":"output.png","file_size":1234,"width":512,"height":512},"seed":42}"#.utf8)
        let submission = Data(#"{"status":"IN_QUEUE","request_id":"64740f16-300b-4c99-a5db-5d9d79384344","response_url":"http://127.0.0.1:1/queue/fal-ai/illusion-diffusion/requests/64740f16-300b-4c99-a5db-5d9d79384344","status_url":"http://127.0.0.1:1/queue/fal-ai/illusion-diffusion/requests/64740f16-300b-4c99-a5db-5d9d79384344/status","cancel_url":"http://127.0.0.1:1/queue/fal-ai/illusion-diffusion/requests/64740f16-300b-4c99-a5db-5d9d79384344/cancel","queue_position":0}"#.utf8)
        func time(_ name: String, _ body: () throws -> Void) rethrows {
            let start = ContinuousClock.now
            for _ in 0..<count { try body() }
            print("\(name): \(format(start.duration(to: .now).inSeconds / Double(count) * 1e6, 2)) µs")
        }
        try time("validate") { try input.validate() }
        try time("encode input, JSONEncoder") { _ = try encoder.encode(input) }
        try time("encode input, StreamingJSONEncoder") { _ = try StreamingJSONEncoder().encode(input) }
        try time("decode submission, JSONDecoder") { _ = try JSONDecoder().decode(QueueSubmission.self, from: submission) }
        try time("decode submission, JSONTapeDecoder") { _ = try JSONTapeDecoder().decode(QueueSubmission.self, from: submission) }
        // The same decode right after the thread slept, as it runs after a response wakes it.
        for (name, pause) in [("after a 200 µs sleep", { usleep(200) }), ("after a 200 µs spin", { let end = ContinuousClock.now + .microseconds(200); while ContinuousClock.now < end {} })] as [(String, () -> Void)] {
            var total = Duration.zero
            for _ in 0..<2000 {
                pause()
                let start = ContinuousClock.now
                _ = try JSONTapeDecoder().decode(QueueSubmission.self, from: submission)
                total += start.duration(to: .now)
            }
            print("decode submission, JSONTapeDecoder, \(name): \(format(total.inSeconds / 2000 * 1e6, 2)) µs")
        }
        try time("decode output, JSONDecoder") { _ = try JSONDecoder().decode(IllusionDiffusion.Output.self, from: output) }
        try time("decode output, JSONTapeDecoder") { _ = try JSONTapeDecoder().decode(IllusionDiffusion.Output.self, from: output) }
        try time("decode output as JSONValue, JSONDecoder") { _ = try JSONDecoder().decode(JSONValue.self, from: output) }
        try time("decode output as JSONValue, JSONTapeDecoder") { _ = try JSONTapeDecoder().decode(JSONValue.self, from: output) }
    }
}
