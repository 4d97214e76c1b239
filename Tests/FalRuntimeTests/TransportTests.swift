import Foundation
import Synchronization
import Testing
@testable import FalRuntime

@Suite("libcurl transport internals")
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

    @Test("a keep-alive connection the server closes while idle neither spins the loop nor fails the next request")
    func serverClosesIdleConnection() async throws {
        let server = try KeepAliveServer(closeIdleAfter: .milliseconds(100))
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/"
        #expect(try await HTTPTransport().send(HTTPRequest(method: "GET", url: url)).status == 200)
        let before = CurlEventLoop.shared.idleSocketEventCount
        // The server closes the connection libcurl keeps for reuse; the poller still holds it, so it is
        // reported once and dropped. Were it kept, every wait would return at once: thousands of reports.
        // Zero is legal too: when other transfers run meanwhile (the suite is parallel), libcurl prunes
        // the dead connection itself before the poller sees it (a CI run did just that).
        try await Task.sleep(for: .milliseconds(500))
        let reports = CurlEventLoop.shared.idleSocketEventCount - before
        #expect(reports < 20, "\(reports) readiness reports for idle sockets in 0.5 s: the loop spins")
        #expect(try await HTTPTransport().send(HTTPRequest(method: "GET", url: url)).status == 200)
        #expect(server.connections == 2)
    }

    @Test("a whole-transfer timeout is a timeout, libcurl's code kept as detail")
    func timeout() async throws {
        let error = await #expect(throws: TransportFailure.self) {
            _ = try await HTTPTransport().send(HTTPRequest(method: "GET", url: FakeFal.baseURL + "/slow?s=3", timeout: .milliseconds(300)))
        }
        #expect(error?.kind == .timeout)
        #expect(error?.code == 28)  // CURLE_OPERATION_TIMEDOUT
    }

    @Test("connection refused is a connect failure, libcurl's code kept as detail")
    func connectionRefused() async throws {
        let error = await #expect(throws: TransportFailure.self) {
            _ = try await HTTPTransport().send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/nothing"))
        }
        #expect(error?.kind == .connect)
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server on 127.0.0.1 that answers each request on a kept-alive connection, then closes the
/// connection once it has been idle for `closeIdleAfter`, as servers and load balancers do.
private final class KeepAliveServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var accepted = 0
    var connections: Int { lock.withLock { accepted } }

    init(closeIdleAfter idle: Duration) throws {
        (listener, port) = try LoopbackListener.open(backlog: 8)
        let milliseconds = Int32(clamping: idle.wholeMilliseconds)
        Thread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                lock.withLock { accepted += 1 }
                Thread { Self.serve(connection, idleMilliseconds: milliseconds) }.start()
            }
        }.start()
    }

    private static func serve(_ connection: Int32, idleMilliseconds: Int32) {
        defer { close(connection) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var pending = [UInt8]()
        while true {
            var ready = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, idleMilliseconds) == 1 else { return }  // idle long enough: close
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { return }
            pending += buffer[..<count]
            while let end = pending.firstRange(of: Array("\r\n\r\n".utf8)) {
                pending.removeSubrange(..<end.upperBound)
                let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok".utf8)
                guard write(connection, answer, answer.count) == answer.count else { return }
            }
        }
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
}
