import FalProxy
import FalProxyVapor
import FalRuntime
import FalSDK
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor

/// This SDK's client in proxy mode, holding no key, → FalProxy on Vapor 4 → the fal emulator, on 127.0.0.1:
/// the same end-to-end and hostile-target cases as the Hummingbird suite in the main package.
@Suite("proxy end to end (Vapor)", .serialized)
struct FalProxyVaporTests {
    static let key = "vapor-proxy-key-77:SECRETSECRET"
    static let session = "Bearer vapor-session"
    static let schemas = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("schemas")
    static let illusion = IllusionDiffusion.Input(imageURL: "https://example.com/pattern.png", prompt: "a castle", seed: 3, imageSize: .square)

    static func with(controls: [String: Int] = [:], _ body: (FalClient, EmulatorProcess, String) async throws -> Void) async throws {
        let emulator = try EmulatorProcess(key: key, schemas: schemas)
        defer { emulator.stop() }
        if !controls.isEmpty { try await emulator.setControls(controls) }
        let base = try #require(URL(string: emulator.baseURL))
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        app.addFalProxy(at: "api", "fal", "proxy", proxy: FalProxy(configuration: .init(
            credentials: FalCredentials(key: key), authentication: .using { $0.headers["Authorization"] == session },
            upstreams: .emulator(base.absoluteString))))
        // A second proxy whose test mapping serves the emulator's stored files as fal.run answers (large answers).
        app.addFalProxy(at: "files-proxy", proxy: FalProxy(configuration: .init(
            credentials: FalCredentials(key: key), authentication: .using { $0.headers["Authorization"] == session },
            upstreams: ProxyUpstreams(baseURLs: ["fal.run": base.absoluteString + "/cdn"]))))
        do {
            try await app.server.start()
            let port = try #require(app.http.server.shared.localAddress?.port)
            let proxyURL = "http://127.0.0.1:\(port)/api/fal/proxy"
            var configuration = FalConfiguration(
                credentials: nil, proxyURL: proxyURL, hosts: .production,
                retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)),
                requestTimeout: .seconds(60), pollInterval: .milliseconds(20),
                multipartThreshold: 1 << 30)  // one streamed request per upload (the emulator names itself in multipart URLs)
            configuration.proxyHeaders = { ["Authorization": session] }
            try await body(FalClient(configuration: configuration), emulator, proxyURL)
        } catch {
            await app.server.shutdown()
            try await app.asyncShutdown()
            throw error
        }
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    @Test("subscribe, stream event by event, cancel, upload and a realtime token, all through the Vapor proxy")
    func endToEnd() async throws {
        let controls = ["latency_ms": 900, "queue_depth": 1, "queue_step_ms": 50, "log_lines": 3]
        try await Self.with(controls: controls) { fal, emulator, proxyURL in
            let output = try await fal.illusionDiffusion.subscribe(Self.illusion, logs: true)
            #expect(output.seed == 3)

            let clock = ContinuousClock()
            let start = clock.now
            var arrivals: [Duration] = []
            for try await _ in try await fal.illusionDiffusion.stream(Self.illusion) { arrivals.append(clock.now - start) }
            #expect(arrivals.count >= 3)
            #expect((arrivals.last ?? .zero) - (arrivals.first ?? .zero) >= .milliseconds(400), "events were buffered: \(arrivals)")

            let submission = try await fal.illusionDiffusion.submit(Self.illusion)
            try? await fal.illusionDiffusion.cancel(requestID: submission.requestID)
            #expect(try await emulator.requests().contains { $0.operation == "cancel" })

            let bytes = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            let url = try await fal.storage.upload(bytes, contentType: "application/octet-stream", fileName: "v.bin")
            let stored = try await HTTPTransport().send(FalRuntime.HTTPRequest(method: "GET", url: url))
            #expect(stored.body == bytes)

            // The client's own token call is package API (tested in the Hummingbird suite); here the same request by hand.
            let token = try await HTTPTransport().send(FalRuntime.HTTPRequest(
                method: "POST", url: proxyURL,
                headers: FalRuntime.HTTPHeaders([
                    ("x-fal-target-url", "https://rest.fal.ai/tokens/"), ("Authorization", Self.session), ("Content-Type", "application/json"),
                ]),
                body: .data(Data(#"{"allowed_apps":["fast-sdxl"],"token_expiration":60}"#.utf8))))
            #expect(token.status == 200)
            #expect(String(decoding: token.body, as: UTF8.self).hasPrefix("\""), "a JSON string")
            #expect(try await emulator.requests().allSatisfy { $0.status != 401 })
        }
    }

    @Test("512 MiB up and 512 MiB back through the Vapor proxy, streamed: peak RSS grows by far less",
          .enabled(if: (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) != nil))
    func streamsBothWays() async throws {
        let size: Int64 = 512 << 20
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fal-vapor-\(UUID().uuidString).bin").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size))  // sparse
        try handle.close()
        try await Self.with { fal, _, proxyURL in
            var baseline = Self.resetPeakRSS()
            let url = try await fal.storage.upload(fileAt: path, contentType: "application/octet-stream")
            let uploadGrowth = Self.peakRSS() - baseline
            let key = try #require(url.range(of: "/cdn/files/")).upperBound
            baseline = Self.resetPeakRSS()
            let response = try await HTTPTransport().stream(FalRuntime.HTTPRequest(
                method: "GET", url: proxyURL.replacingOccurrences(of: "/api/fal/proxy", with: "/files-proxy"),
                headers: FalRuntime.HTTPHeaders([("x-fal-target-url", "https://fal.run/files/" + url[key...]), ("Authorization", Self.session)]),
                timeout: .seconds(240)))
            var received: Int64 = 0
            for try await chunk in response.body { received += Int64(chunk.count) }
            let downloadGrowth = Self.peakRSS() - baseline
            print("vapor proxy: 512 MiB up +\(uploadGrowth >> 20) MiB, 512 MiB back +\(downloadGrowth >> 20) MiB peak RSS")
            #expect(received == size)
            #expect(uploadGrowth < 64 << 20)
            #expect(downloadGrowth < 64 << 20)
        }
    }

    static func peakRSS() -> Int { rss("VmHWM:") }
    static func resetPeakRSS() -> Int {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        return rss("VmRSS:")
    }
    static func rss(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// A Vapor application on 127.0.0.1 and a free port, set up by `routes`, started.
    static func started(_ routes: (Application) -> Void) async throws -> (Application, Int) {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        routes(app)
        try await app.server.start()
        guard let port = app.http.server.shared.localAddress?.port else {
            try await app.asyncShutdown()
            throw Abort(.internalServerError)
        }
        return (app, port)
    }

    @Test("a redirect from fal to elsewhere is passed back, never followed")
    func redirectNotFollowed() async throws {
        let stolen = NIOLockedValueBox(0)
        let (standIn, standInPort) = try await Self.started { app in
            app.get("redirect") { _ in Response(status: .found, headers: ["Location": "/stolen"]) }
            app.get("stolen") { _ -> String in stolen.withLockedValue { $0 += 1 }; return "stolen" }
        }
        let (proxyApp, port) = try await Self.started { app in
            app.addFalProxy(at: "api", "fal", "proxy", proxy: FalProxy(configuration: .init(
                credentials: FalCredentials(key: Self.key), authentication: .using { _ in true },
                upstreams: ProxyUpstreams(baseURLs: ["fal.run": "http://127.0.0.1:\(standInPort)"]))))
        }
        let redirected = try? await HTTPTransport().send(FalRuntime.HTTPRequest(
            method: "GET", url: "http://127.0.0.1:\(port)/api/fal/proxy",
            headers: FalRuntime.HTTPHeaders([("x-fal-target-url", "https://fal.run/redirect")])))
        await proxyApp.server.shutdown()
        try await proxyApp.asyncShutdown()
        await standIn.server.shutdown()
        try await standIn.asyncShutdown()
        #expect(redirected?.status == 302, "a redirect from fal is passed back")
        #expect(redirected?.headers["Location"] == "/stolen")
        #expect(stolen.withLockedValue { $0 } == 0, "and never followed")
    }

    @Test("hostile targets are refused before anything is forwarded; no answer carries the key")
    func hostileTargets() async throws {
        try await Self.with { _, emulator, proxyURL in
            let hostile = [
                "https://evilfal.run/fal-ai/x", "https://fal.run.evil.com/x", "https://fal.run@evil.com/x", "https://u:p@fal.run/x",
                "https://1.2.3.4/x", "https://[::1]/x", "http://169.254.169.254/latest/meta-data/", "http://fal.run/x",
                "https://xn--fl-7kc.run/x", "https://f%D0%B0l.run/x", "https://rest.fal.ai/keys",
            ]
            for target in hostile {
                let response = try await HTTPTransport().send(FalRuntime.HTTPRequest(
                    method: "GET", url: proxyURL, headers: FalRuntime.HTTPHeaders([("x-fal-target-url", target), ("Authorization", Self.session)])))
                #expect(response.status == 403, "\(target)")
                #expect(!String(decoding: response.body, as: UTF8.self).contains("SECRETSECRET"))
            }
            let unauthenticated = try await HTTPTransport().send(FalRuntime.HTTPRequest(
                method: "GET", url: proxyURL, headers: FalRuntime.HTTPHeaders([("x-fal-target-url", "https://queue.fal.run/fal-ai/illusion-diffusion/requests/x/status")])))
            #expect(unauthenticated.status == 401)
            #expect(try await emulator.requests().isEmpty, "nothing reached fal")
        }
    }
}
