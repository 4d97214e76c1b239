import ArgumentParser
import FalEmulator
import Foundation

/// `fal-emulator [--host 127.0.0.1] [--port N] [--schemas DIR] [--key KEY]`: serves fal's HTTP surface
/// offline until SIGINT/SIGTERM. Prints `listening on http://HOST:PORT` once connections are accepted.
@main
struct FalEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fal-emulator",
        abstract: "Serve an offline emulation of fal's queue, run, storage and OpenAPI endpoints.",
        discussion: """
            Emulator controls (all need `Authorization: Key …`): GET /_emulator/requests, GET /_emulator/webhooks,
            GET|PUT /_emulator/controls, POST /_emulator/reset, and PUT /_emulator/openapi?endpoint_id=ID with an
            OpenAPI document as the body to serve that document at /api/openapi/queue/openapi.json?endpoint_id=ID
            (DELETE restores the loaded one). Realtime WebSockets: ws://HOST:PORT/run/ID/realtime (tokens from
            POST /rest/tokens/); GET /_emulator/realtime, POST /_emulator/realtime/{drop,delay,error,expire-tokens}.
            See Emulator/README.md.
            """)

    @Option(help: "Interface to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free port.")
    var port = 0

    @Option(help: "Directory of fal OpenAPI documents (overlays are read from its overlays/ subfolder).")
    var schemas = "schemas"

    @Option(help: "Require exactly this API key in `Authorization: Key …` (default: accept any key).")
    var key: String?

    @Option(help: "Milliseconds each request runs (IN_PROGRESS).")
    var latencyMs: Int?

    @Option(help: "Queue positions each request waits through.")
    var queueDepth: Int?

    @Option(help: "Milliseconds each realtime (WebSocket) input takes before its result is sent.")
    var realtimeLatencyMs: Int?

    @Option(help: "Seconds without an input after which a realtime WebSocket gets fal's TIMEOUT frame and is closed.")
    var realtimeIdleTimeout: Double = 60

    @Option(help: "Disk budget for uploaded files in MiB (stored in a temporary directory removed on exit); the oldest are evicted beyond it.")
    var uploadBudgetMb = 4096

    @Option(help: "Largest single upload body (direct upload, signed PUT or multipart part) in MiB.")
    var maxUploadMb = 1024

    func run() async throws {
        var controls = EmulatorControls()
        if let latencyMs { controls.latencyMilliseconds = max(0, latencyMs) }
        if let queueDepth { controls.queueDepth = max(0, queueDepth) }
        if let realtimeLatencyMs { controls.realtimeLatencyMilliseconds = max(0, realtimeLatencyMs) }
        guard realtimeIdleTimeout.isFinite, realtimeIdleTimeout > 0, realtimeIdleTimeout <= 86_400 else {
            throw ValidationError("--realtime-idle-timeout must be between 0 and 86400 seconds")
        }
        let emulator = try FalEmulator(configuration: .init(
            host: host, port: port, apiKey: key, schemasDirectory: URL(fileURLWithPath: schemas), controls: controls,
            maxUploadBytes: max(1, maxUploadMb) << 20, maxStoredFileBytes: max(1, uploadBudgetMb) << 20,
            realtimeIdleTimeout: .milliseconds(Int(realtimeIdleTimeout * 1000))))
        let base = try await emulator.start()
        // Unbuffered writes: scripts wait for this line on a pipe.
        say("listening on \(base.absoluteString)")
        say("endpoints: \(emulator.endpointIDs.joined(separator: ", "))")

        let signals = SignalWatcher()
        await signals.firstSignal([SIGINT, SIGTERM])
        await emulator.stop()
        say("stopped")
    }

    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// Turns SIGINT/SIGTERM into an awaitable event so the server can shut down cleanly.
final class SignalWatcher: Sendable {
    func firstSignal(_ numbers: [Int32]) async {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = numbers.map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        for await _ in stream { break }
        for source in sources { source.cancel() }
    }
}
