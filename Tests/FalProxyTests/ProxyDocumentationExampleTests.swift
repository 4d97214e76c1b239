import FalEmulator
import FalProxy
import FalProxyHummingbird
import FalSDK
import Foundation
import Hummingbird
import Synchronization
import Testing

/// The code of the DocC article "Keeping your key on the server" (Runtime/FalRuntime/FalRuntime.docc/
/// KeepingYourKeyOnTheServer.md), run against the emulator, so the article cannot show an API that does not
/// compile or does not behave as it says. Keep them in step.
@Suite("documentation examples: keeping your key on the server")
struct ProxyDocumentationExampleTests {
    /// The article's `sessions` and `quota`, as an app would have them.
    final class Sessions: Sendable {
        func isSignedIn(_ authorization: String?) async -> Bool { authorization == "Bearer token-of-a-signed-in-user" }
    }
    final class Quota: Sendable {
        let open = Mutex(true)
        func take(for request: ProxyRequest) async -> Bool { open.withLock { $0 } }
    }

    @Test("the server and app halves of the article: authenticated, narrowed, limited, no key in the app")
    func article() async throws {
        let emulator = try FalEmulator(configuration: .init(
            host: "127.0.0.1", port: 0, apiKey: "emulator-key", schemasDirectory: ProxiedFal.schemas, controls: .immediate))
        let base = try await emulator.start()
        let sessions = Sessions()
        let quota = Quota()

        // "On your server" (with the emulator's mapping from "Testing against the emulator").
        let proxy = FalProxy(configuration: FalProxyConfiguration(
            credentials: FalCredentials(key: "emulator-key"),
            authentication: .using { request in
                await sessions.isSignedIn(request.headers["Authorization"])
            },
            targets: ProxyTargetPolicy(allowedEndpoints: ["fal-ai/illusion-diffusion"]),
            upstreams: .emulator(base.absoluteString),
            limit: { request in
                await quota.take(for: request) ? .allow : .refuse(retryAfter: .seconds(30))
            }))
        let router = Router()
        router.addFalProxy(at: "/api/fal/proxy", proxy: proxy)
        let server = try await LocalProxyServer.start(router)

        // "In your app".
        let session = (token: "token-of-a-signed-in-user", ())
        var configuration = FalConfiguration(proxyURL: server.baseURL.absoluteString + "/api/fal/proxy")
        configuration.proxyHeaders = { ["Authorization": "Bearer \(session.token)"] }
        configuration.credentials = nil  // as on a device: no FAL_KEY there
        configuration.retry = RetryPolicy(maxAttempts: 1)  // the test only: a 429 would be retried after its Retry-After
        let fal = FalClient(configuration: configuration)
        let input = IllusionDiffusion.Input(imageURL: "https://example.com/pattern.png", prompt: "a castle", seed: 5)

        let output = try await fal.illusionDiffusion.subscribe(input)
        #expect(output.seed == 5)
        quota.open.withLock { $0 = false }  // the caller's quota is spent
        let limited = await ProxiedFal.failure { () async throws(FalError) in try await fal.illusionDiffusion.submit(input) }
        if case .http(let status, _, _, _)? = limited { #expect(status == 429) } else { Issue.record("expected 429, got \(String(describing: limited))") }
        // Narrowed to one endpoint: another is refused before the quota or fal sees it.
        let other = await ProxiedFal.failure { () async throws(FalError) in
            try await fal.fastSDXLImageToImage.submit(.init(imageURL: "https://example.com/cat.png", prompt: "a cat"))
        }
        if case .http(let status, _, _, _)? = other { #expect(status == 403) } else { Issue.record("expected 403, got \(String(describing: other))") }
        #expect(!emulator.requestLog.entries.contains { $0.path.contains("fast-sdxl") })

        await server.stop()
        await emulator.stop()
    }
}
