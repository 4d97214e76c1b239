import Foundation
import FalRuntime
import FalSDK

enum Probe {
    static func run(base: String) async throws {
        let url = base + "/queue/fal-ai/illusion-diffusion/requests/x/status"
        var headers = HTTPHeaders()
        headers.set("Authorization", "Key bench-key")
        let transport = HTTPTransport()
        for round in 0..<3 {
            let start = ContinuousClock.now
            for _ in 0..<500 { _ = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers)) }
            let swift = start.duration(to: .now) / 500
            let bare = BareCurl(key: "bench-key", extraHeaders: [])
            let s2 = ContinuousClock.now
            for _ in 0..<500 { _ = try? bare.get(url) }
            let floor = s2.duration(to: .now) / 500
            print("round \(round): transport \(swift)  bare \(floor)")
        }
    }

    /// FalClient round trips only (submit → status → result), for profiling the client's own overhead.
    static func client(base: String, count: Int) async throws {
        var configuration = FalConfiguration(key: "bench-key", hosts: .emulator(base))
        configuration.statusUpdates = .polling
        let model = FalClient(configuration: configuration).illusionDiffusion
        let options = RequestOptions(headers: QueueBenchmarks.zeroLatency)
        let start = ContinuousClock.now
        for _ in 0..<count {
            let submission = try await model.submit(QueueBenchmarks.input, options: options)
            while try await !model.status(requestID: submission.requestID).isCompleted {}
            _ = try await model.result(requestID: submission.requestID)
        }
        print("client round trip: \(start.duration(to: .now) / count)")
    }
}
