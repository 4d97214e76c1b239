import FalEmulator
import FalProxy
import FalProxyHummingbird
import FalRuntime
import Foundation
import Testing
import TestSupport

/// A 1 GiB upload from this SDK's client through the proxy to the emulator, all three in this process, and a
/// 1 GiB answer back through a proxy: no body is held whole either way, so the process's peak resident memory
/// grows by far less than the file.
@Suite("proxy memory", .serialized)
struct ProxyMemoryTests {
    @Test("a 1 GiB upload, and a 1 GiB answer, through the proxy stay under 64 MiB of added peak RSS",
          .enabled(if: ProcessMemory.isAvailable, Comment(rawValue: ProcessMemory.unavailableReason)), .timeLimit(.minutes(5)))
    func oneGibibyteUpload() async throws {
        let size: Int64 = 1 << 30
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fal-proxy-1gib-\(UUID().uuidString).bin").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size))  // sparse: the disk holds no data for it
        try handle.close()

        // One streamed POST (no multipart): the whole GiB crosses the proxy in one request.
        try await ProxiedFal.with(multipartThreshold: 4 << 30, maxUploadBytes: 2 << 30) { proxied in
            let baseline = ProcessMemory.resetPeak()
            let start = ContinuousClock.now
            let url = try await proxied.fal.storage.upload(fileAt: path, contentType: "application/octet-stream")
            let elapsed = ContinuousClock.now - start
            let growth = ProcessMemory.peak - baseline
            print("proxy memory: 1 GiB upload through the proxy in \(elapsed), peak RSS +\(growth >> 20) MiB (baseline \(baseline >> 20) MiB)")
            #expect(url.contains("/cdn/files/"))
            #expect(growth < 64 << 20, "peak RSS grew by \(growth >> 20) MiB")
            let stored = proxied.emulator.requestLog.entries.filter { $0.path == "/cdn/files/upload" }
            #expect(stored.count == 1 && stored.first?.status == 200)

            // And an answer of 1 GiB back through a proxy, read as it arrives. (FalProxy refuses downloads from
            // fal's CDN, whose file URLs are public; here a test mapping serves the file as a fal.run answer.)
            let key = try #require(url.range(of: "/cdn/files/")).upperBound
            let downloads = FalProxy(configuration: .init(
                credentials: FalCredentials(key: ProxiedFal.key), authentication: .using { _ in true },
                upstreams: ProxyUpstreams(baseURLs: ["fal.run": proxied.emulator.baseURL!.absoluteString + "/cdn"])))
            let server = try await LocalProxyServer.start(downloads)
            let downloadBaseline = ProcessMemory.resetPeak()
            let downloadStart = ContinuousClock.now
            var received: Int64 = 0
            do {
                let response = try await HTTPTransport().stream(HTTPRequest(
                    method: "GET", url: server.baseURL.absoluteString + "/api/fal/proxy",
                    headers: HTTPHeaders([("x-fal-target-url", "https://fal.run/files/" + url[key...])]), timeout: .seconds(240)))
                #expect(response.head.status == 200)
                for try await chunk in response.body { received += Int64(chunk.count) }
            } catch {
                Issue.record("download failed: \(error)")
            }
            let downloadGrowth = ProcessMemory.peak - downloadBaseline
            await server.stop()
            print("proxy memory: 1 GiB answer through the proxy in \(ContinuousClock.now - downloadStart), peak RSS +\(downloadGrowth >> 20) MiB")
            #expect(received == size)
            #expect(downloadGrowth < 64 << 20, "peak RSS grew by \(downloadGrowth >> 20) MiB")
        }
    }
}
