import FalCore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// An offline look-alike of fal's public HTTP surface, on one port with a path prefix per fal host:
/// `/queue` (queue.fal.run), `/run` (fal.run, with the realtime WebSocket at `/run/{id}/realtime`),
/// `/rest` (rest.fal.ai), `/cdn` (v3.fal.media), `/api/openapi` (fal.ai). Start it in-process:
///
/// ```swift
/// let emulator = try FalEmulator(configuration: .init(schemasDirectory: schemas))
/// let base = try await emulator.start()   // http://127.0.0.1:<free port>
/// // point a client at base/queue, base/run, base/rest, base/cdn …
/// await emulator.stop()
/// ```
public final class FalEmulator: Sendable {
    let state: EmulatorState
    private let running = Mutex<Running?>(nil)

    private struct Running: Sendable {
        var group: ServiceGroup
        var task: Task<Void, any Error>
        var baseURL: URL
    }

    /// Loads the schema documents; throws `EmulatorError.configuration` for unreadable or invalid ones.
    public init(configuration: Configuration) throws {
        let catalog = try EndpointCatalog.load(directory: configuration.schemasDirectory, overlays: configuration.overlaysDirectory)
        state = EmulatorState(configuration: configuration, catalog: catalog)
    }

    /// Binds and starts serving; returns the base URL (`http://host:port`) once the socket accepts connections.
    @discardableResult
    public func start() async throws -> URL {
        if let url = running.withLock({ $0?.baseURL }) { return url }
        state.isStopping = false
        let configuration = state.configuration
        guard (0...65_535).contains(configuration.port) else {
            throw EmulatorError.configuration("port \(configuration.port) is outside 0...65535")
        }
        var logger = Logger(label: "fal-emulator")
        logger.logLevel = .critical
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int?.self)
        let app = Application(
            responder: EmulatorResponder(state: state),
            server: RealtimeServer.builder(state: state),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "fal-emulator"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port)
                portContinuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }

        var boundPort: Int?
        for await port in portStream {
            boundPort = port
            break
        }
        guard let port = boundPort else {
            task.cancel()
            let failure = await task.result
            if case .failure(let error) = failure { throw EmulatorError.startup("\(error)") }
            throw EmulatorError.startup("server stopped before it was listening")
        }
        let hostForURL = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let baseURL = URL(string: "http://\(hostForURL):\(port)")!
        state.base = baseURL.absoluteString
        running.withLock { $0 = Running(group: group, task: task, baseURL: baseURL) }
        return baseURL
    }

    /// The base URL while running.
    public var baseURL: URL? { running.withLock { $0?.baseURL } }

    /// Stops accepting connections, cancels pending webhook deliveries, waits for the server to finish, and
    /// deletes the uploaded files.
    public func stop() async {
        guard let current = running.withLock({ running in
            defer { running = nil }
            return running
        }) else { return }
        state.isStopping = true
        state.webhooks.cancelAll()
        await state.realtime.shutdown()
        await current.group.triggerGracefulShutdown()
        _ = await current.task.result
        state.files.removeAll()
    }

    /// Waits until the server stops (for the CLI, which stops it from a signal handler).
    public func waitUntilStopped() async {
        guard let task = running.withLock({ $0?.task }) else { return }
        _ = await task.result
    }

    // MARK: Test hooks

    /// Every request answered so far, and per-scenario attempt counts (also at `GET /_emulator/requests`).
    public var requestLog: RequestLog { state.log }

    /// Emulator-wide controls; per-request `ControlHeaders` still override them.
    public var controls: EmulatorControls {
        get { state.controls }
        set { state.controls = newValue }
    }

    /// The endpoint ids loaded from the schema documents.
    public var endpointIDs: [String] { state.catalog.ids }
}
