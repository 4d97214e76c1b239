import FalEmulator
import FalRuntime
import Foundation
import Testing

/// A 1 GiB upload from this SDK's client through the proxy to the emulator, all three in this process: the
/// proxy holds no body whole, so the process's peak resident memory grows by far less than the file.
@Suite("proxy memory", .serialized)
struct ProxyMemoryTests {
    @Test("a 1 GiB upload through the proxy stays under 64 MiB of added peak RSS",
          .enabled(if: ProcessMemory.isAvailable, ProcessMemory.unavailableReason), .timeLimit(.minutes(5)))
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
        }
    }
}
