import Foundation
import FalRuntime

// `make bench-runtime`: FalRuntime against its peers, measured in the same run (issue 4 §9).
//   (a) submit → status → result round trip: FalClient vs bare libcurl (the floor) vs fal-client 1.0.3
//   (b) 64 concurrent subscribes: FalClient vs fal_client.AsyncClient
//   (c) completion → result latency: status stream (SSE) vs polling
//   (d) large upload: peak RSS and throughput, FalClient vs the curl CLI
// Usage: fal-bench-runtime --emulator PATH [--schemas DIR] [--sink SCRIPT] [--iterations N] [--upload-mib N]
//        fal-bench-runtime upload-child BASE_URL KEY FILE   (internal: one upload, prints seconds and peak KiB)

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String, _ fallback: String) -> String {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
    return arguments[index + 1]
}

if arguments.first == "upload-child" {
    try await UploadBenchmark.child(baseURL: arguments[1], key: arguments[2], path: arguments[3])
    exit(0)
}

let key = "bench-key"
let iterations = Int(option("--iterations", "200")) ?? 200
let emulatorPath = option("--emulator", ".build/release/fal-emulator")
let schemas = option("--schemas", "schemas")
let sinkScript = option("--sink", "Tests/FalRuntimeTests/Fixtures/fake_fal.py")
let uploadMiB = Int(option("--upload-mib", "1024")) ?? 1024
let python = option("--python", "python3")
let peerScript = option("--peer", "Benchmarks/runtime/peers/fal_client_peer.py")

do {
    try await runAll()
} catch {
    FileHandle.standardError.write(Data("fal-bench-runtime: \(error)\n".utf8))
    exit(1)
}

func runAll() async throws {
let emulator = try ServerProcess(
    executable: emulatorPath, arguments: ["--port", "0", "--schemas", schemas, "--key", key, "--latency-ms", "0", "--queue-depth", "0"])
defer { emulator.stop() }
say("emulator at \(emulator.baseURL); \(iterations) iterations")

let queue = QueueBenchmarks(baseURL: emulator.baseURL, key: key, python: python, peerScript: peerScript)
say(try await queue.roundTrips(iterations: iterations).render())
say(try await queue.concurrentSubscribes(total: max(256, iterations * 2), workers: 64).render())
say(try await queue.completionLatency(samples: max(20, iterations / 5)).render())

let sink = try ServerProcess(executable: "/usr/bin/env", arguments: [python, sinkScript], environment: ["FAKE_FAL_KEY": key])
defer { sink.stop() }
say(try UploadBenchmark(baseURL: sink.baseURL, key: key, mebibytes: uploadMiB).run().render())
}

/// Unbuffered, so each table appears as soon as its benchmark finishes.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
