import FalProxy
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A Hummingbird server serving one `FalProxy` on 127.0.0.1 and a free port, for this package's tests and
/// benchmark (an app builds its own `Application` with `router.addFalProxy(at:proxy:)`).
package final class LocalProxyServer: Sendable {
    /// `http://127.0.0.1:PORT`.
    package let baseURL: URL
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts serving `proxy` at `path`; returns once the server listens (or throws, within 30 s).
    package static func start(_ proxy: FalProxy, path: String = "/api/fal/proxy") async throws -> LocalProxyServer {
        let router = Router()
        router.addFalProxy(at: RouterPath(path), proxy: proxy)
        return try await start(router)
    }

    /// Starts serving `router` (tests use it for stand-in upstreams too).
    package static func start(_ router: Router<BasicRequestContext>) async throws -> LocalProxyServer {
        var logger = Logger(label: "fal-proxy-server")
        logger.logLevel = .critical
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int?.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fal-proxy"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port)
                portContinuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        let timeout = Task {
            try await Task.sleep(for: .seconds(30))
            portContinuation.finish()
        }
        defer { timeout.cancel() }
        var port: Int?
        for await bound in ports {
            port = bound
            break
        }
        guard let port else {
            task.cancel()
            throw CancellationError()
        }
        return LocalProxyServer(baseURL: URL(string: "http://127.0.0.1:\(port)")!, group: group, task: task)
    }

    private init(baseURL: URL, group: ServiceGroup, task: Task<Void, any Error>) {
        self.baseURL = baseURL
        self.group = group
        self.task = task
    }

    /// Stops accepting connections and waits for the server to finish.
    package func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
