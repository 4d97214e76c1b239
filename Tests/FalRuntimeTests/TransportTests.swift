import Foundation
import Synchronization
import Testing
@testable import FalRuntime

@Suite("libcurl transport")
struct TransportTests {
    @Test("many concurrent requests share the one event loop and all complete")
    func concurrentRequests() async throws {
        let base = FakeFal.baseURL
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask { try await HTTPTransport().send(HTTPRequest(method: "GET", url: base + "/slow?s=0.05")).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 64)
        #expect(statuses.allSatisfy { $0 == 200 })
    }

    @Test("cancelling the task aborts the transfer promptly")
    func cancellationAbortsTransfer() async throws {
        // The server answers after 60 s; an abort that works returns at once, so 15 s of slack for a
        // loaded machine still shows the transfer was cut, not waited out.
        let task = Task { try await HTTPTransport().send(HTTPRequest(method: "GET", url: FakeFal.baseURL + "/slow?s=60")) }
        try await Task.sleep(for: .milliseconds(150))
        let cancelled = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(cancelled.duration(to: .now) < .seconds(15))
    }

    @Test("a late cancel of a finished transfer leaves the next transfer on its pooled easy handle alone")
    func staleCancelDoesNotHitReusedHandle() async throws {
        let request = HTTPRequest(method: "GET", url: FakeFal.baseURL + "/slow?s=0.2")
        // A concurrent test may grab the handle from the pool first; a few rounds find it idle.
        var pair: (first: CurlTransfer, second: CurlTransfer)?
        for _ in 0..<50 where pair == nil {
            let first = try CurlTransfer(request)
            _ = try await HTTPTransport().send(first)
            let second = try CurlTransfer(request, reusing: first.handle)
            if second.handle == first.handle { pair = (first, second) }
        }
        let (first, reused) = try #require(pair, "the first transfer's easy handle was never idle in the pool")
        let status = StatusBox()
        Task { status.value.store((try? await HTTPTransport().send(reused).status) ?? -1, ordering: .relaxed) }
        try await Task.sleep(for: .milliseconds(50))
        CurlEventLoop.shared.cancel(first)  // e.g. a cancellation handler firing after completion
        // Polled rather than awaited: a lost transfer never resumes, and the test must fail, not hang.
        for _ in 0..<400 where status.value.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(status.value.load(ordering: .relaxed) == 200, "the transfer on the reused handle was lost")
    }

    @Test("a whole-transfer timeout reports libcurl's timeout code")
    func timeout() async throws {
        let error = await #expect(throws: TransportFailure.self) {
            _ = try await HTTPTransport().send(HTTPRequest(method: "GET", url: FakeFal.baseURL + "/slow?s=3", timeout: .milliseconds(300)))
        }
        #expect(error?.isTimeout == true)
    }

    @Test("connection refused is a transport failure with libcurl's code")
    func connectionRefused() async throws {
        let error = await #expect(throws: TransportFailure.self) {
            _ = try await HTTPTransport().send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/nothing"))
        }
        #expect(error?.code == 7)  // CURLE_COULDNT_CONNECT
    }

    @Test("streamed response bodies arrive before the transfer ends")
    func streamedBody() async throws {
        var headers = HTTPHeaders()
        headers.set("Authorization", "Key \(FakeFal.key)")
        headers.set("Content-Type", "application/json")
        let response = try await HTTPTransport().stream(HTTPRequest(
            method: "POST", url: FakeFal.baseURL + "/run/fal-ai/test-model/stream", headers: headers,
            body: .data(Data(#"{"prompt":"hi"}"#.utf8))))
        #expect(response.head.status == 200)
        var events: [ServerSentEvent] = []
        for try await event in response.events { events.append(event) }
        #expect(events.count == 3)
    }

    @Test("file request bodies stream from a byte range on disk")
    func fileBodyRange() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("range-\(UUID().uuidString).bin").path
        let content = Data((0..<10_000).map { UInt8($0 % 251) })
        try content.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var headers = HTTPHeaders()
        headers.set("Authorization", "Bearer cdn-token-123")
        let response = try await HTTPTransport().send(HTTPRequest(
            method: "POST", url: FakeFal.baseURL + "/cdn/files/upload", headers: headers, body: .file(path: path, offset: 1000, length: 5000)))
        #expect(response.status == 200)
        let url = try JSONDecoder().decode(JSONValue.self, from: response.body)["access_url"]?.stringValue ?? ""
        let info = try await FakeFal.file(url)
        #expect(info["size"] == .int(5000))
        #expect(info["sha256"]?.stringValue == sha256Hex(content[1000..<6000]))
    }
}

import Crypto

func sha256Hex<D: DataProtocol>(_ data: D) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

/// An HTTP status written by a detached task (0 until it answers).
private final class StatusBox: Sendable {
    let value = Atomic<Int>(0)
}
