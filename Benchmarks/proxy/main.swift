import FalProxy
import FalProxyHummingbird
import FalSDK
import Foundation

// `fal-bench-proxy EMULATOR [N] [LATENCY_MS]` (`make bench-proxy`, issue 19): the fal emulator and a FalProxy
// (Hummingbird, this binary re-run as `fal-bench-proxy serve UPSTREAM`) in child processes of their own, so
// each one's peak RSS is its own. This process is the client. Measured in the same run:
//   - N concurrent subscribes (model latency LATENCY_MS), direct to the emulator, then through the proxy;
//   - 300 sequential status calls each way: the latency the proxy adds to one request.
// Prints a table.

let arguments = CommandLine.arguments
if arguments.count >= 3, arguments[1] == "serve" {
    try await ProxyServe.run(upstream: arguments[2])
} else {
    guard arguments.count >= 2 else {
        print("usage: fal-bench-proxy EMULATOR [N] [LATENCY_MS]")
        exit(2)
    }
    try await ProxyBenchmark.run(
        emulator: arguments[1], count: arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000,
        latencyMs: arguments.count > 3 ? Int(arguments[3]) ?? 500 : 500)
}

/// The proxy child: serves FalProxy for the emulator at UPSTREAM, prints where it listens, runs until killed.
enum ProxyServe {
    static func run(upstream: String) async throws {
        let proxy = FalProxy(configuration: FalProxyConfiguration(
            credentials: FalCredentials(key: ProxyBenchmark.key),
            authentication: .using { $0.headers["Authorization"] == ProxyBenchmark.session },
            upstreams: .emulator(upstream)))
        let server = try await LocalProxyServer.start(proxy)
        // Unbuffered, so the parent sees the banner at once.
        FileHandle.standardOutput.write(Data("listening on \(server.baseURL.absoluteString)\n".utf8))
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}

enum ProxyBenchmark {
    static let key = "bench-key"
    static let session = "Bearer bench-session"
    static let input = IllusionDiffusion.Input(imageURL: "https://example.com/pattern.png", prompt: "a castle", seed: 42, imageSize: .square)

    struct Row {
        var label: String
        var completed: Int
        var failed: Int
        var wall: Duration
        var latencies: [Duration]
        var peakRSSMiB: String
    }

    static func run(emulator: String, count: Int, latencyMs: Int) async throws {
        let upstream = try ServerProcess(
            executable: emulator,
            arguments: ["--port", "0", "--key", key, "--schemas", "schemas", "--latency-ms", String(latencyMs), "--queue-depth", "0"])
        defer { upstream.stop() }
        let proxyServer = try ServerProcess(executable: CommandLine.arguments[0], arguments: ["serve", upstream.baseURL])
        defer { proxyServer.stop() }

        let direct = FalClient(configuration: FalConfiguration(
            credentials: FalCredentials(key: key), hosts: .emulator(upstream.baseURL), requestTimeout: .seconds(120)))
        var proxiedConfiguration = FalConfiguration(
            credentials: nil, proxyURL: proxyServer.baseURL + "/api/fal/proxy", hosts: .production, requestTimeout: .seconds(120))
        proxiedConfiguration.proxyHeaders = { ["Authorization": session] }
        let proxied = FalClient(configuration: proxiedConfiguration)

        // Warm both paths (connections, the emulator's documents) before measuring.
        _ = try await direct.illusionDiffusion.subscribe(input)
        _ = try await proxied.illusionDiffusion.subscribe(input)

        let emulatorBefore = upstream.peakResidentKiB ?? 0
        let proxyBefore = proxyServer.peakResidentKiB ?? 0
        let directRow = await concurrent(
            "direct to the emulator", client: direct, count: count,
            rss: "client \(peakResidentKiB() / 1024), emulator \((upstream.peakResidentKiB ?? 0) / 1024)")
        let proxyRow = await concurrent(
            "through FalProxy", client: proxied, count: count,
            rss: "client \(peakResidentKiB() / 1024), emulator \((upstream.peakResidentKiB ?? 0) / 1024), proxy \((proxyServer.peakResidentKiB ?? 0) / 1024)")

        let submission = try await direct.illusionDiffusion.submit(input)
        for try await _ in direct.illusionDiffusion.statusUpdates(requestID: submission.requestID) {}  // until completed
        let directStatus = try await sequential(client: direct, requestID: submission.requestID)
        let proxiedStatus = try await sequential(client: proxied, requestID: submission.requestID)

        print("")
        print("FalProxy load run: \(count) concurrent subscribes, model latency \(latencyMs) ms, queue depth 0 (release build, one machine)")
        print("| path | completed | failed | wall | p50 | p99 | peak RSS after the run (MiB; VmHWM, so the client's includes the row above) |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for row in [directRow, proxyRow] {
            print("| \(row.label) | \(row.completed) | \(row.failed) | \(format(row.wall)) | \(format(percentile(row.latencies, 0.5))) | \(format(percentile(row.latencies, 0.99))) | \(row.peakRSSMiB) |")
        }
        print("after warm-up: emulator \(emulatorBefore / 1024) MiB, proxy \(proxyBefore / 1024) MiB (the proxy's growth under the load: \(((proxyServer.peakResidentKiB ?? 0) - proxyBefore) / 1024) MiB)")
        print("")
        print("Latency the proxy adds to one request (300 sequential GET status calls, same run):")
        print("| path | p50 | p90 | p99 |")
        print("| --- | --- | --- | --- |")
        print("| direct | \(format(percentile(directStatus, 0.5))) | \(format(percentile(directStatus, 0.9))) | \(format(percentile(directStatus, 0.99))) |")
        print("| through FalProxy | \(format(percentile(proxiedStatus, 0.5))) | \(format(percentile(proxiedStatus, 0.9))) | \(format(percentile(proxiedStatus, 0.99))) |")
        let added = percentile(proxiedStatus, 0.5) - percentile(directStatus, 0.5)
        let addedUnderLoad = percentile(proxyRow.latencies, 0.5) - percentile(directRow.latencies, 0.5)
        print("added latency per request: \(format(added)) at p50 sequential; \(format(addedUnderLoad)) at p50 under \(count) concurrent subscribes")
    }

    static func concurrent(_ label: String, client: FalClient, count: Int, rss: @autoclosure () -> String) async -> Row {
        let started = ContinuousClock.now
        let results = await withTaskGroup(of: Duration?.self) { group in
            for _ in 0..<count {
                group.addTask {
                    let start = ContinuousClock.now
                    do {
                        _ = try await client.illusionDiffusion.subscribe(input)
                        return ContinuousClock.now - start
                    } catch {
                        return nil
                    }
                }
            }
            var results: [Duration?] = []
            for await result in group { results.append(result) }
            return results
        }
        let latencies = results.compactMap { $0 }
        return Row(label: label, completed: latencies.count, failed: results.count - latencies.count, wall: ContinuousClock.now - started, latencies: latencies, peakRSSMiB: rss())
    }

    static func sequential(client: FalClient, requestID: String) async throws -> [Duration] {
        var latencies: [Duration] = []
        for _ in 0..<300 {
            let start = ContinuousClock.now
            _ = try await client.illusionDiffusion.status(requestID: requestID)
            latencies.append(ContinuousClock.now - start)
        }
        return latencies
    }

    static func percentile(_ values: [Duration], _ fraction: Double) -> Duration {
        guard !values.isEmpty else { return .zero }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))]
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return milliseconds < 10 ? String(format: "%.2f ms", milliseconds) : String(format: "%.0f ms", milliseconds)
    }

    /// This process's peak resident set (VmHWM) in KiB.
    static func peakResidentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
