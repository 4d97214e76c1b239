import FalSDK
import Foundation

/// `fal-bench-runtime faults EMULATOR [N]` (issue 11): N subscribes, each submit meeting one injected fault
/// (429, ingress 503, connection reset before any answer byte, stalled body) once, 64 at a time. Reports
/// results delivered, requests failed (with why), accepted submits per request (duplicates would be double
/// billing) and retries, from the emulator's own request log (`GET /_emulator/requests`).
enum FaultProbe {
    static func run(emulator: String, count: Int) async throws {
        let server = try ServerProcess(
            executable: emulator, arguments: ["--port", "0", "--key", "bench-key", "--schemas", "schemas", "--latency-ms", "50", "--queue-depth", "0"])
        defer { server.stop() }
        var configuration = FalConfiguration(key: "bench-key", hosts: .emulator(server.baseURL))
        configuration.requestTimeout = .seconds(2)
        configuration.retry = RetryPolicy(baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        let client = FalClient(configuration: configuration)
        let modes = ["429", "503", "reset", "stall"]
        let run = "faults-\(UInt32.random(in: 0...UInt32.max))"
        var delivered = 0
        var failures: [String: Int] = [:]
        var next = 0
        await withTaskGroup(of: String?.self) { group in
            func add(_ index: Int) {
                let options = RequestOptions(headers: [
                    "X-Fal-Emulator-Failure": modes[index % modes.count], "X-Fal-Emulator-Failure-Times": "1",
                    "X-Fal-Emulator-Stall-Seconds": "5", "X-Fal-Emulator-Scenario": "\(run)-\(index)",
                ])
                group.addTask {
                    do {
                        _ = try await client.illusionDiffusion.subscribe(QueueBenchmarks.input, options: options)
                        return nil
                    } catch {
                        return "\(modes[index % modes.count]): \(error)".prefix(120).description
                    }
                }
            }
            while next < min(64, count) { add(next); next += 1 }
            for await failure in group {
                if let failure { failures[failure, default: 0] += 1 } else { delivered += 1 }
                if next < count { add(next); next += 1 }
            }
        }
        var headers = HTTPHeaders()
        headers.set("Authorization", "Key bench-key")  // the emulator's controls need the key
        let log = try await client.transport.send(HTTPRequest(method: "GET", url: server.baseURL + "/_emulator/requests", headers: headers))
        guard log.status == 200, let scenarios = (try JSONDecoder().decode(JSONValue.self, from: log.body))["scenarios"]?.objectValue else {
            throw FalError.http(status: log.status, detail: "the emulator's request log: \(String(decoding: log.body.prefix(200), as: UTF8.self))", errorType: nil, requestID: nil)
        }
        var attempts = 0, accepted = 0, duplicated = 0
        for (name, counts) in scenarios where name.hasPrefix(run) {
            func number(_ key: String) -> Int { if case .int(let n)? = counts[key] { n } else { 0 } }
            let tries = number("attempts"), failed = number("failures")
            attempts += tries
            accepted += tries - failed
            if tries - failed > 1 { duplicated += 1 }
        }
        let reported = failures.values.reduce(0, +)
        print("faults: \(count) subscribes (429, ingress 503, reset, stall once each in turn): \(delivered) delivered, "
              + "\(reported) reported as errors, \(count - delivered - reported) lost (neither); \(attempts) submit attempts (\(attempts - count) retries), \(accepted) accepted, "
              + "\(duplicated) requests submitted twice")
        for (failure, times) in failures.sorted(by: { $0.value > $1.value }) { print("  \(times)× \(failure)") }
    }
}
