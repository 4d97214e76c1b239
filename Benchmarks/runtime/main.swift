import Foundation
import FalRuntime

// `make bench-runtime`: FalRuntime against its peers, measured in the same run (issue 4 §9).
//   (a) submit → status → result round trip: FalClient (libcurl and URLSession transports) vs bare libcurl
//       (the floor) vs fal-client 1.0.3
//   (b) 64 concurrent subscribes: FalClient (both transports) vs fal_client.AsyncClient
//   (c) completion → result latency: status stream (SSE) vs polling
//   (d) large upload: peak RSS and throughput, FalClient (both transports) vs the curl CLI
// Usage: fal-bench-runtime --emulator PATH [--schemas DIR] [--iterations N (round trips for (a))] [--upload-mib N] [--only abcd]
//        fal-bench-runtime upload-child BASE_URL KEY FILE [fal|urlsession] (internal: one upload, prints seconds, peak KiB, URL)
//        fal-bench-runtime measure-child CMD ARGS…          (internal: runs CMD, prints its output and peak KiB)
//        fal-bench-runtime probe EMULATOR                   (diagnostic: one GET, HTTPTransport vs bare libcurl)
//        fal-bench-runtime probe-client EMULATOR [N] [layers] (diagnostic: N FalClient round trips, for profiling;
//                                                          `layers`: FalClient vs raw HTTPTransport vs bare libcurl)
//        fal-bench-runtime scale EMULATOR [N] [LATENCY_MS] [libcurl|urlsession]
//                                                          (issue 11: N concurrent subscribes; run under ulimit -n 1024)
//        fal-bench-runtime scale-url BASE_URL N [libcurl|libcurl-http1.1|urlsession] [CA_PEM]
//                                                          (issue 18: N concurrent subscribes against a TLS front; one JSON line)
//        fal-bench-runtime faults EMULATOR [N]              (issue 11: N subscribes meeting 429/503/reset/stall on submit)
//        fal-bench-runtime realtime RUN_URL CA KEY [N] [M] [S]  (make bench-realtime: realtime round trips, throughput, memory)
//        fal-bench-runtime probe-pieces                     (diagnostic: CPU of validation, encoding, decoding; no I/O)

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String, _ fallback: String) -> String {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
    return arguments[index + 1]
}

if arguments.first == "probe" {
    let server = try ServerProcess(executable: arguments[1], arguments: ["--port", "0", "--key", "bench-key"])
    try await Probe.run(base: server.baseURL)
    server.stop()
    exit(0)
}
if arguments.first == "probe-pieces" {
    try Probe.pieces(count: 20_000)
    exit(0)
}
if arguments.first == "probe-client" {
    let server = try ServerProcess(executable: arguments[1], arguments: ["--port", "0", "--key", "bench-key", "--schemas", "schemas", "--latency-ms", "0", "--queue-depth", "0"])
    if arguments.count > 3, arguments[3] == "layers" {
        try await Probe.layers(base: server.baseURL, count: Int(arguments[2]) ?? 2000)
    } else {
        try await Probe.client(base: server.baseURL, count: Int(arguments[2]) ?? 2000)
    }
    server.stop()
    exit(0)
}
if arguments.first == "scale" {
    try await ScaleProbe.run(
        emulator: arguments[1], count: arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000,
        latencyMs: arguments.count > 3 ? Int(arguments[3]) ?? 2000 : 2000, transport: arguments.count > 4 ? arguments[4] : "libcurl")
    exit(0)
}
if arguments.first == "realtime" {
    // realtime RUN_URL CA_FILE KEY [ITERATIONS] [SUSTAINED] [SECONDS] (scripts/bench-realtime.sh)
    try await RealtimeBenchmark.run(
        runURL: arguments[1], caFile: arguments[2], key: arguments[3], iterations: arguments.count > 4 ? Int(arguments[4]) ?? 500 : 500,
        sustained: arguments.count > 5 ? Int(arguments[5]) ?? 1000 : 1000, seconds: arguments.count > 6 ? Int(arguments[6]) ?? 60 : 60)
    exit(0)
}
if arguments.first == "scale-url" {
    await ScaleProbe.runAgainst(
        base: arguments[1], count: Int(arguments[2]) ?? 1000, transport: arguments.count > 3 ? arguments[3] : "libcurl",
        caBundle: arguments.count > 4 ? arguments[4] : nil)
    exit(0)
}
if arguments.first == "faults" {
    try await FaultProbe.run(emulator: arguments[1], count: arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000)
    exit(0)
}
if arguments.first == "measure-child" {
    try UploadBenchmark.measureChild(Array(arguments.dropFirst()))
    exit(0)
}
if arguments.first == "upload-child" {
    try await UploadBenchmark.child(baseURL: arguments[1], key: arguments[2], path: arguments[3], transport: arguments.count > 4 ? arguments[4] : "fal")
    exit(0)
}

let key = "bench-key"
/// Round trips for (a): its p50 ratio moves by a few hundredths between runs of 200, less over 1000.
let iterations = Int(option("--iterations", "1000")) ?? 1000
let emulatorPath = option("--emulator", ".build/release/fal-emulator")
let schemas = option("--schemas", "schemas")
let uploadMiB = Int(option("--upload-mib", "1024")) ?? 1024
let only = Set(option("--only", "abcd"))
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
    executable: emulatorPath, arguments: ["--port", "0", "--schemas", schemas, "--key", key, "--latency-ms", "0", "--queue-depth", "0",
                 "--upload-budget-mb", String(max(4096, uploadMiB * 3))])
defer { emulator.stop() }
say("emulator at \(emulator.baseURL); \(iterations) round trips for (a)")

let queue = QueueBenchmarks(baseURL: emulator.baseURL, key: key, python: python, peerScript: peerScript)
if only.contains("a") { say(try await queue.roundTrips(iterations: iterations).render()) }
if only.contains("b") { say(try await queue.concurrentSubscribes(total: 400, workers: 64).render()) }
if only.contains("c") { say(try await queue.completionLatency(samples: 40).render()) }
if only.contains("d") {
    say(try UploadBenchmark(baseURL: emulator.baseURL, key: key, mebibytes: uploadMiB).run().render())
    say("emulator peak RSS over the whole run: \(emulator.peakResidentKiB.map { String($0 / 1024) } ?? "?") MiB (uploads stream to disk)")
}
}

/// Unbuffered, so each table appears as soon as its benchmark finishes.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
