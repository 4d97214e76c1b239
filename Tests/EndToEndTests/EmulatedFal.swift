import FalEmulator
import FalSDK
import Foundation

/// The generated SDK and its runtime pointed at an in-process emulator on a free 127.0.0.1 port.
enum EmulatedFal {
    static let schemas = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas")

    /// Retries fast so retry scenarios finish quickly; everything else as in production.
    static func client(_ base: URL, requestTimeout: Duration = .seconds(20), multipartThreshold: Int64 = 100 * 1024 * 1024) -> FalClient {
        FalClient(configuration: FalConfiguration(
            credentials: FalCredentials(key: "end-to-end-key"), hosts: .emulator(base.absoluteString),
            retry: RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)),
            requestTimeout: requestTimeout, pollInterval: .milliseconds(20), multipartThreshold: multipartThreshold))
    }

    static func with<T>(
        controls: EmulatorControls = .immediate, requestTimeout: Duration = .seconds(20), multipartThreshold: Int64 = 100 * 1024 * 1024,
        configure: (inout FalEmulator.Configuration) -> Void = { _ in },
        _ body: (FalClient, FalEmulator) async throws -> T
    ) async throws -> T {
        var configuration = FalEmulator.Configuration(host: "127.0.0.1", port: 0, apiKey: "end-to-end-key", schemasDirectory: schemas, controls: controls)
        configure(&configuration)
        let emulator = try FalEmulator(configuration: configuration)
        let base = try await emulator.start()
        do {
            let value = try await body(client(base, requestTimeout: requestTimeout, multipartThreshold: multipartThreshold), emulator)
            await emulator.stop()
            return value
        } catch {
            await emulator.stop()
            throw error
        }
    }

    static let illusion = IllusionDiffusion.Input(imageURL: "https://example.com/pattern.png", prompt: "a castle", seed: 3, imageSize: .square)

    /// The error a call failed with, or nil when it succeeded.
    static func failure<T>(of work: () async throws(FalError) -> T) async -> FalError? {
        do {
            _ = try await work()
            return nil
        } catch {
            return error
        }
    }

    /// Per-request controls sent as headers (fal ignores unknown headers).
    static func failing(_ mode: String, times: Int, scenario: String, extra: [String: String] = [:]) -> RequestOptions {
        RequestOptions(headers: [
            ControlHeaders.failure: mode, ControlHeaders.failureTimes: String(times), ControlHeaders.scenario: scenario,
        ].merging(extra) { $1 })
    }
}
