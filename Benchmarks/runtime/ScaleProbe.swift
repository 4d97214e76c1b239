import FalSDK
import Foundation

/// `fal-bench-runtime scale EMULATOR [N] [LATENCY_MS] [libcurl|urlsession]` (issue 11): N concurrent
/// `subscribe` calls against the emulator with model latency, in this process's descriptor limit (run it
/// under `ulimit -n 1024`), over libcurl's `HTTPTransport` (default) or `URLSessionTransport`.
/// Prints completions, failures, peak RSS and the most sockets open at once.
enum ScaleProbe {
    static func run(emulator: String, count: Int, latencyMs: Int, transport name: String) async throws {
        let server = try ServerProcess(
            executable: emulator, arguments: ["--port", "0", "--key", "bench-key", "--schemas", "schemas", "--latency-ms", String(latencyMs), "--queue-depth", "0"])
        defer { server.stop() }
        let transport: any Transport = name == "urlsession" ? URLSessionTransport() : HTTPTransport()
        let (completed, failures, wall, sockets) = await measure(base: server.baseURL, count: count, transport: transport)
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        print("scale (\(name == "urlsession" ? "URLSessionTransport" : "libcurl HTTPTransport")): \(count) concurrent subscribes, model latency \(latencyMs) ms, descriptor limit \(limit.rlim_cur): "
              + "\(completed) completed, \(count - completed) failed in \(wall); "
              + "peak RSS \(peakResidentKiB() / 1024) MiB, peak sockets \(sockets)")
        for (failure, times) in failures { print("  \(times)× \(failure)") }
    }

    /// `fal-bench-runtime scale-url BASE_URL N [libcurl|libcurl-http1.1|urlsession] [CA_PEM]` (issue 18): N concurrent
    /// subscribes against a running server (an emulator behind a TLS front, key bench-key), the transport
    /// trusting CA_PEM (libcurl; URLSession on Linux uses the system store). Prints one JSON line.
    static func runAgainst(base: String, count: Int, transport name: String, caBundle: String?) async {
        let transport: any Transport
        switch name {
        case "urlsession": transport = URLSessionTransport()
        case "libcurl-http1.1": transport = HTTPTransport(tls: TLSOptions(trustedCertificatesPath: caBundle, httpVersion: .http1_1))
        default: transport = HTTPTransport(tls: TLSOptions(trustedCertificatesPath: caBundle))
        }
        let (completed, failures, wall, sockets) = await measure(base: base, count: count, transport: transport)
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let failureList = failures.map { "\($0.value)x \($0.key)".replacingOccurrences(of: "\"", with: "'") }
        print(#"{"completed": \#(completed), "failed": \#(count - completed), "seconds": \#(seconds), "peak_rss_mib": \#(peakResidentKiB() / 1024), "#
              + #""peak_sockets": \#(sockets), "failures": [\#(failureList.map { "\"\($0)\"" }.joined(separator: ", "))]}"#)
    }

    static func measure(base: String, count: Int, transport: any Transport) async -> (Int, [String: Int], Duration, Int) {
        let client = FalClient(configuration: FalConfiguration(key: "bench-key", hosts: .emulator(base)), transport: transport)
        let peakSockets = SocketPeak()
        let sampler = Task { while !Task.isCancelled { peakSockets.sample(); try? await Task.sleep(for: .milliseconds(20)) } }
        let started = ContinuousClock.now
        let (completed, failures) = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<count {
                group.addTask {
                    do {
                        _ = try await client.illusionDiffusion.subscribe(QueueBenchmarks.input)
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var completed = 0
            var failures: [String: Int] = [:]
            for await failure in group {
                if let failure { failures[failure, default: 0] += 1 } else { completed += 1 }
            }
            return (completed, failures)
        }
        sampler.cancel()
        return (completed, failures, started.duration(to: .now), peakSockets.value)
    }
}

/// The most sockets this process had open at one sample.
final class SocketPeak: @unchecked Sendable {
    private let lock = NSLock()
    private var most = 0
    var value: Int { lock.withLock { most } }

    func sample() {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        var sockets = 0
        for entry in entries {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + entry), target.hasPrefix("socket:") { sockets += 1 }
        }
        lock.withLock { most = max(most, sockets) }
    }
}
