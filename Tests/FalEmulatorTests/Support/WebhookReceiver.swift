import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A local HTTP server that records webhook deliveries and fails the first `failures` of them with 500.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        var headers: [String: String]
        var body: Data
    }

    private let deliveries = Mutex<[Delivery]>([])
    private let remainingFailures: Mutex<Int>
    private let running = Mutex<(ServiceGroup, Task<Void, any Error>)?>(nil)

    init(failures: Int) { remainingFailures = Mutex(failures) }

    var received: [Delivery] { deliveries.withLock { $0 } }

    func start() async throws -> String {
        let router = Router()
        router.post("hook") { [self] request, context -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            deliveries.withLock { $0.append(Delivery(headers: headers, body: Data(buffer.readableBytesView))) }
            let fail = remainingFailures.withLock { remaining in
                defer { remaining -= 1 }
                return remaining > 0
            }
            return Response(status: fail ? .internalServerError : .ok)
        }
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int?.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port)
                continuation.finish()
            }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        running.withLock { $0 = (group, task) }
        for await port in ports {
            if let port { return "http://127.0.0.1:\(port)/hook" }
        }
        throw FixtureError("webhook receiver did not start")
    }

    func stop() async {
        guard let (group, task) = running.withLock({ $0 }) else { return }
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// Waits (bounded) until `count` deliveries arrived.
    func waitFor(_ count: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while received.count < count {
            if ContinuousClock.now > deadline { throw FixtureError("only \(received.count) of \(count) webhook deliveries arrived") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
