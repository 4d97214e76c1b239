import FalEmulator
import FalProxy
import FalProxyHummingbird
import FalSDK
import Foundation
import Logging

/// This SDK's client in proxy mode → `FalProxy` served by Hummingbird → the fal emulator, all in this process on
/// 127.0.0.1. The client knows no key and addresses fal's production hosts; the proxy maps them to the
/// emulator (`ProxyUpstreams.emulator`) after its target check, exactly as in production.
struct ProxiedFal {
    static let key = "proxy-test-key-5b1f0c2e:9d77aa41secret"
    static let session = "Bearer app-session-123"
    static let schemas = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas")

    let fal: FalClient
    let emulator: FalEmulator
    let proxyURL: String
    let logs: CapturedLogs

    /// Runs `body` with an emulator, a proxy in front of it (authentication: the app's session header) and a client.
    static func with<T>(
        controls: EmulatorControls = .immediate, limit: (@Sendable (ProxyRequest) async -> ProxyLimitDecision)? = nil,
        sendsSession: Bool = true, multipartThreshold: Int64 = 100 * 1024 * 1024, maxUploadBytes: Int = 1 << 30,
        productionCDNURLs: Bool = false, platformOperations: ProxyTargetPolicy.PlatformOperations = [],
        _ body: (ProxiedFal) async throws -> T
    ) async throws -> T {
        var emulatorConfiguration = FalEmulator.Configuration(host: "127.0.0.1", port: 0, apiKey: key, schemasDirectory: schemas, controls: controls)
        emulatorConfiguration.maxUploadBytes = maxUploadBytes
        emulatorConfiguration.maxStoredFileBytes = max(emulatorConfiguration.maxStoredFileBytes, maxUploadBytes * 2)
        let emulator = try FalEmulator(configuration: emulatorConfiguration)
        let base = try await emulator.start()
        let logs = CapturedLogs()
        let proxy = FalProxy(
            configuration: FalProxyConfiguration(
                credentials: FalCredentials(key: key),
                authentication: .using { $0.headers["Authorization"] == session },
                targets: ProxyTargetPolicy(platformOperations: platformOperations),
                upstreams: .emulator(base.absoluteString), limit: limit, connectTimeout: .seconds(5), idleTimeout: .seconds(20)),
            logger: logs.logger())
        let server: LocalProxyServer
        do {
            server = try await LocalProxyServer.start(proxy)
        } catch {
            await emulator.stop()
            throw error
        }
        var configuration = FalConfiguration(
            credentials: nil, proxyURL: server.baseURL.absoluteString + "/api/fal/proxy", hosts: .production,
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)),
            requestTimeout: .seconds(60), pollInterval: .milliseconds(20), multipartThreshold: multipartThreshold,
            multipartChunkSize: 5 << 20)
        if sendsSession { configuration.proxyHeaders = { ["Authorization": session] } }
        let transport: any Transport = productionCDNURLs
            ? ProductionURLTransport(base: HTTPTransport(), emulatorCDN: base.absoluteString + "/cdn") : HTTPTransport()
        let proxied = ProxiedFal(
            fal: FalClient(configuration: configuration, transport: transport), emulator: emulator, proxyURL: configuration.proxyURL!, logs: logs)
        do {
            let value = try await body(proxied)
            await server.stop()
            await emulator.stop()
            return value
        } catch {
            await server.stop()
            await emulator.stop()
            throw error
        }
    }

    /// The error a call failed with, or nil when it succeeded.
    static func failure<T>(of work: () async throws(FalError) -> T) async -> FalError? {
        do {
            _ = try await work()
            return nil
        } catch {
            return error
        }
    }
}
