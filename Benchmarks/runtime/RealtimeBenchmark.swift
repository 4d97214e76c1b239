import FalSDK
import Foundation
import FalRuntime

/// `make bench-realtime`'s Swift side (`fal-bench-runtime realtime RUN_URL CA_FILE KEY`): fal's realtime protocol
/// against the emulator behind the TLS front (wss, as fal serves it), with a 40 KB JPEG-sized input and a PNG
/// answer (`sync_mode`). Prints one JSON object; scripts/bench-realtime.sh runs fal-client the same way and
/// prints the table.
///   round trips: one input, wait for its result, N times (FalClient realtime, and the bare WebSocket with a
///                pre-encoded frame: the difference is what the SDK's realtime layer adds);
///   sustained:   throttle 0, inputs sent as fast as the socket takes them, results counted per second;
///   memory:      40 inputs a second for `seconds`, resident memory sampled each second.
enum RealtimeBenchmark {
    struct Report: Encodable {
        var roundTripP50: Double, roundTripP99: Double
        var bareP50: Double, bareP99: Double
        var overheadP50: Double
        var sustainedResultsPerSecond: Double
        var residentMiB: [Double]
    }

    static func run(runURL: String, caFile: String, key: String, iterations: Int, sustained: Int, seconds: Int) async throws {
        let hosts = FalHosts(queue: runURL, run: runURL, rest: runURL.replacingOccurrences(of: "/run", with: "/rest"), cdn: runURL)
        let fal = FalClient(configuration: FalConfiguration(credentials: FalCredentials(key: key), hosts: hosts))
        var options = RealtimeOptions(throttle: .zero, outputBufferLimit: 1024)
        options.caBundlePath = caFile
        let frame = jpegSizedFrame()
        let input = FastSDXLImageToImage.Input(imageURL: .data(frame, contentType: "image/jpeg"), prompt: "a cat", seed: 1, syncMode: true)
        let connection = try await fal.fastSDXLImageToImage.realtime(options: options)
        var outputs = connection.outputs.makeAsyncIterator()

        // Warm-up, then round trips.
        for _ in 0..<20 { try await connection.send(input); _ = try await outputs.next() }
        var trips = Samples()
        for _ in 0..<iterations {
            let started = ContinuousClock.now
            try await connection.send(input)
            guard let output = try await outputs.next(), output.images.first?.content != nil else { throw BenchmarkError("no image bytes") }
            trips.add(started.duration(to: .now))
        }

        // The same frames over a bare WebSocket (same connector, same token route): no validation, no encoding.
        let bare = try await bareRoundTrips(fal: fal, options: options, input: input, iterations: iterations)

        // Sustained: pipelined, throttle 0.
        let sustainedStart = ContinuousClock.now
        let receiver = Task { () -> Int in
            var count = 0
            var iterator = connection.outputs.makeAsyncIterator()
            while count < sustained, try await iterator.next() != nil { count += 1 }
            return count
        }
        for _ in 0..<sustained { try await connection.send(input) }
        let received = try await receiver.value
        let perSecond = Double(received) / sustainedStart.duration(to: .now).inSeconds

        // Memory: 40 inputs a second (the camera sample's aim), the default throttle, for `seconds`.
        await connection.close()
        var camera = RealtimeOptions(throttle: .milliseconds(25))
        camera.caBundlePath = caFile
        let stream = try await fal.fastSDXLImageToImage.realtime(options: camera)
        let drain = Task { for try await _ in stream.outputs {} }
        var resident: [Double] = []
        let end = ContinuousClock.now.advanced(by: .seconds(seconds))
        var nextSample = ContinuousClock.now
        while ContinuousClock.now < end {
            try await stream.send(input)
            if ContinuousClock.now >= nextSample {
                resident.append(Double(residentKiB()) / 1024)
                nextSample = nextSample.advanced(by: .seconds(1))
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        await stream.close()
        drain.cancel()

        let report = Report(
            roundTripP50: trips.percentile(50), roundTripP99: trips.percentile(99), bareP50: bare.percentile(50), bareP99: bare.percentile(99),
            overheadP50: trips.percentile(50) - bare.percentile(50), sustainedResultsPerSecond: perSecond, residentMiB: resident)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    /// Round trips over a WebSocket opened the way the SDK opens it, with the frame encoded once up front.
    static func bareRoundTrips(fal: FalClient, options: RealtimeOptions, input: FastSDXLImageToImage.Input, iterations: Int) async throws -> Samples {
        let token = try await fal.realtimeToken(alias: "fast-sdxl", lifetimeSeconds: 120)
        let url = try fal.realtimeURL(FalClient.realtimeApp(FastSDXLImageToImage.id, path: nil), maxBuffering: nil)
        var request = WebSocketRequest(url: FalClient.realtimeURL(url, token: token))
        request.caBundlePath = options.caBundlePath
        let socket = try await defaultWebSocketConnector().connect(request)
        var encoder = MessagePackEncoder()
        encoder.userInfo[FalFile.inlineEncodingKey] = 16 << 20
        let frame = try encoder.encode(input)
        var messages = socket.messages.makeAsyncIterator()
        var samples = Samples()
        for round in 0..<(iterations + 20) {
            let started = ContinuousClock.now
            try await socket.send(.binary(frame))
            while true {
                guard case .binary? = try await messages.next() else { continue }  // skip timings text frames
                break
            }
            if round >= 20 { samples.add(started.duration(to: .now)) }
        }
        await socket.close(code: 1000, reason: "")
        return samples
    }

    /// 40,000 bytes framed as a JPEG (SOI ... EOI): the size of a 512×512 camera frame; the emulator does not decode it.
    static func jpegSizedFrame() -> Data {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 40_000)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        bytes[0] = 0xFF; bytes[1] = 0xD8; bytes[bytes.count - 2] = 0xFF; bytes[bytes.count - 1] = 0xD9
        return Data(bytes)
    }

    static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
