import FalSDK
import Foundation
import FalRuntime

/// `make bench-realtime`'s Swift side (`fal-bench-runtime realtime RUN_URL CA_FILE KEY`): fal's realtime protocol
/// against the emulator behind the TLS front (wss, as fal serves it), with a 40 KB JPEG-sized input and a PNG
/// answer (`sync_mode`). Prints one JSON object; scripts/bench-realtime.sh runs fal-client the same way and
/// prints the table.
/// Each measured twice: results carrying the PNG as bytes (`sync_mode`), and results naming it by URL.
///   round trips: one input, wait for its result, N times (FalClient realtime, and the bare WebSocket with a
///                pre-encoded frame: the difference is what the SDK's realtime layer adds);
///   sustained:   throttle 0, up to `window` inputs in flight, results counted per second, and this process's
///                CPU time per result;
///   memory:      40 inputs a second for `seconds` (bytes), resident memory sampled each second.
enum RealtimeBenchmark {
    /// One kind of answer, measured both ways.
    struct Phase: Encodable {
        var roundTripP50: Double, roundTripP99: Double
        var bareP50: Double, bareP99: Double
        var overheadP50: Double
        var sustainedResultsPerSecond: Double
        /// This process's CPU time (user + system, all threads) during the sustained run, per result, in ms:
        /// the client's own cost, apart from the emulator and the TLS front it shares with fal-client.
        var cpuPerResultMs: Double
    }

    struct Report: Encodable {
        /// `sync_mode`: each result carries its 512×512 PNG (768 KiB) as bytes.
        var bytes: Phase
        /// The same input without `sync_mode`: each result names its image by URL (about 300 bytes).
        var url: Phase
        var residentMiB: [Double]
    }

    /// Inputs in flight at most in the sustained run (both clients), well under the 60 the emulator keeps waiting.
    static let window = 32

    static func run(runURL: String, caFile: String, key: String, iterations: Int, sustained: Int, seconds: Int) async throws {
        let hosts = FalHosts(queue: runURL, run: runURL, rest: runURL.replacingOccurrences(of: "/run", with: "/rest"), cdn: runURL)
        // The transport's CA is the WebSocket's too (the token request and the socket trust the same front).
        let fal = FalClient(
            configuration: FalConfiguration(credentials: FalCredentials(key: key), hosts: hosts),
            transport: HTTPTransport(tls: TLSOptions(trustedCertificatesPath: caFile)))
        let frame = jpegSizedFrame()
        func input(syncMode: Bool) -> FastSDXLImageToImage.Input {
            FastSDXLImageToImage.Input(imageURL: .data(frame, contentType: "image/jpeg"), prompt: "a cat", imageSize: .square, seed: 1, syncMode: syncMode)
        }
        let bytes = try await measure(fal: fal, caFile: caFile, input: input(syncMode: true), iterations: iterations, sustained: sustained)
        let url = try await measure(fal: fal, caFile: caFile, input: input(syncMode: false), iterations: iterations, sustained: sustained)

        // Memory: 40 inputs a second (the camera sample's aim), results as bytes, for `seconds`.
        let camera = RealtimeOptions(throttle: .milliseconds(25))
        let stream = try await fal.fastSDXLImageToImage.realtime(options: camera)
        let drain = Task { for try await _ in stream.outputs {} }
        var resident: [Double] = []
        let end = ContinuousClock.now.advanced(by: .seconds(seconds))
        var nextSample = ContinuousClock.now
        let streamed = input(syncMode: true)
        while ContinuousClock.now < end {
            try await stream.send(streamed)
            if ContinuousClock.now >= nextSample {
                resident.append(Double(residentKiB()) / 1024)
                nextSample = nextSample.advanced(by: .seconds(1))
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        await stream.close()
        drain.cancel()

        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        print(String(decoding: try encoder.encode(Report(bytes: bytes, url: url, residentMiB: resident)), as: UTF8.self))
    }

    /// Round trips and the sustained rate for one input on a connection of its own.
    static func measure(fal: FalClient, caFile: String, input: FastSDXLImageToImage.Input, iterations: Int, sustained: Int) async throws -> Phase {
        let syncMode = input.syncMode == true
        func check(_ output: FastSDXLImageToImage.Output) throws {
            guard let image = output.images.first else { throw BenchmarkError("no image") }
            if syncMode, image.content == nil { throw BenchmarkError("no image bytes") }
            if !syncMode, image.content != nil || !image.url.hasPrefix("http") { throw BenchmarkError("no image URL") }
        }
        let connection = try await fal.fastSDXLImageToImage.realtime(options: RealtimeOptions(throttle: .zero, outputBufferLimit: 1024))
        var outputs = connection.outputs.makeAsyncIterator()

        // Round trips, each SDK one followed by one over a bare WebSocket (same connector, same token route, the
        // frame encoded once, no validation or decoding): interleaved, so the machine's drift during the run
        // falls on both alike and their difference is what the SDK's realtime layer adds.
        var bare = try await BareSocket.open(fal: fal, caFile: caFile, input: input)
        var trips = Samples(), bareTrips = Samples(), overheads = Samples()
        for round in 0..<(iterations + 20) {
            let started = ContinuousClock.now
            try await connection.send(input)
            guard let output = try await outputs.next() else { throw BenchmarkError("the connection closed") }
            try check(output)
            let trip = started.duration(to: .now)
            let bareTrip = try await bare.roundTrip()
            if round >= 20 {  // the first 20 warm both up
                trips.add(trip)
                bareTrips.add(bareTrip)
                overheads.add(trip - bareTrip)
            }
        }
        await bare.close()

        // Sustained: pipelined, throttle 0, at most `window` inputs in flight: fal's server keeps at most
        // max_buffering inputs waiting and drops older ones (the emulator keeps 60 without it), so sending all
        // at once measures drops, not results.
        let cpuBefore = Probe.processCPUSeconds()
        let sustainedStart = ContinuousClock.now
        var sent = 0, received = 0
        while received < sustained {
            while sent < sustained, sent - received < window {
                try await connection.send(input)
                sent += 1
            }
            guard let output = try await outputs.next() else { break }
            try check(output)
            received += 1
        }
        let perSecond = Double(received) / sustainedStart.duration(to: .now).inSeconds
        let cpuPerResult = (Probe.processCPUSeconds() - cpuBefore) * 1000 / Double(max(received, 1))
        await connection.close()
        return Phase(
            roundTripP50: trips.percentile(50), roundTripP99: trips.percentile(99), bareP50: bareTrips.percentile(50), bareP99: bareTrips.percentile(99),
            overheadP50: overheads.percentile(50), sustainedResultsPerSecond: perSecond, cpuPerResultMs: cpuPerResult)
    }

    /// A WebSocket opened the way the SDK opens it, sending one frame encoded up front and waiting for the
    /// next binary message: the round trip with nothing of the SDK's realtime layer in it.
    struct BareSocket {
        let socket: any WebSocketConnection
        let frame: Data
        var messages: AsyncThrowingStream<WebSocketMessage, any Error>.AsyncIterator

        static func open(fal: FalClient, caFile: String, input: FastSDXLImageToImage.Input) async throws -> BareSocket {
            let token = try await fal.realtimeToken(alias: "fast-sdxl", lifetimeSeconds: 120)
            let url = try fal.realtimeURL(FalClient.realtimeApp(FastSDXLImageToImage.id, path: nil), maxBuffering: nil)
            var request = WebSocketRequest(url: FalClient.realtimeURL(url, token: token))
            request.caBundlePath = caFile
            let socket = try await defaultWebSocketConnector().connect(request)
            var encoder = MessagePackEncoder()
            encoder.userInfo[FalFile.inlineEncodingKey] = 16 << 20
            return BareSocket(socket: socket, frame: try encoder.encode(input), messages: socket.messages.makeAsyncIterator())
        }

        mutating func roundTrip() async throws -> Duration {
            let started = ContinuousClock.now
            try await socket.send(.binary(frame))
            while true {
                guard let message = try await messages.next() else { throw BenchmarkError("the bare socket closed") }
                if case .binary = message { break }  // skip timings text frames
            }
            return started.duration(to: .now)
        }

        func close() async { await socket.close(code: 1000, reason: "") }
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
