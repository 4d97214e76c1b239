import Foundation
import Testing
@testable import FalRuntime

/// The `Transport` contract, checked for libcurl's `HTTPTransport` and `URLSessionTransport` alike, against
/// the hostile HTTP server (Fixtures/hostile_http.py). Time bounds here are generous ceilings that show a
/// wait was cut short, not speed goals.
@Suite("transport contract")
struct TransportContractTests {
    static let all = TransportUnderTest.selected
    var base: String { HostileHTTP.baseURL }

    func request(_ path: String, method: String = "GET", body: HTTPBody = .empty, timeout: Duration? = .seconds(20),
                 connectTimeout: Duration = .seconds(5), idleTimeout: Duration? = .seconds(20)) -> HTTPRequest {
        var headers = HTTPHeaders()
        if case .data = body { headers.set("Content-Type", "application/json") }
        return HTTPRequest(method: method, url: base + path, headers: headers, body: body, timeout: timeout,
                           connectTimeout: connectTimeout, idleTimeout: idleTimeout)
    }

    static func failure(_ work: () async throws -> Void) async -> (any Error)? {
        do {
            try await work()
            return nil
        } catch {
            return error
        }
    }

    @Test("a buffered body arrives whole", arguments: all)
    func bufferedBody(_ kind: TransportUnderTest) async throws {
        let body = Data(#"{"prompt":"a castle"}"#.utf8)
        let response = try await kind.transport.send(request("/echo", method: "POST", body: .data(body)))
        #expect(response.status == 200)
        let echo = try JSONDecoder().decode(JSONValue.self, from: response.body)
        #expect(echo["size"] == .int(body.count))
        #expect(echo["sha256"]?.stringValue == sha256Hex(body))
        #expect(echo["headers"]?["content-type"]?.stringValue == "application/json")
    }

    @Test("a body without a type goes as application/octet-stream, never form-encoded", arguments: all)
    func bodyWithoutType(_ kind: TransportUnderTest) async throws {
        let response = try await kind.transport.send(HTTPRequest(method: "POST", url: base + "/echo", body: .data(Data("raw".utf8))))
        let echo = try JSONDecoder().decode(JSONValue.self, from: response.body)
        #expect(echo["headers"]?["content-type"]?.stringValue == "application/octet-stream")
    }

    @Test("non-2xx statuses are values with their body", arguments: all)
    func nonSuccessIsAValue(_ kind: TransportUnderTest) async throws {
        for status in [400, 404, 429, 500, 503] {
            let response = try await kind.transport.send(request("/status/\(status)"))
            #expect(response.status == status)
            #expect(try JSONDecoder().decode(JSONValue.self, from: response.body)["detail"]?.stringValue == "status \(status)")
        }
    }

    @Test("redirects are not followed: the 3xx is the response", arguments: all)
    func noRedirects(_ kind: TransportUnderTest) async throws {
        let response = try await kind.transport.send(request("/redirect"))
        #expect(response.status == 302)
        #expect(response.headers["Location"] == "/echo")
    }

    @Test("server-sent events arriving a few bytes at a time parse whole", arguments: all)
    func sseInPieces(_ kind: TransportUnderTest) async throws {
        let response = try await kind.transport.stream(request("/sse-pieces"))
        #expect(response.head.status == 200)
        #expect(response.head.headers["Content-Type"] == "text/event-stream")
        var events: [ServerSentEvent] = []
        for try await event in response.events { events.append(event) }
        #expect(events == (0..<3).map { ServerSentEvent(event: "status", data: #"{"n": \#($0)}"#) })
    }

    @Test("a streamed non-2xx is a value too", arguments: all)
    func streamedNonSuccess(_ kind: TransportUnderTest) async throws {
        let response = try await kind.transport.stream(request("/status/503"))
        #expect(response.head.status == 503)
        var body = Data()
        for try await chunk in response.body { body.append(chunk) }
        #expect(try JSONDecoder().decode(JSONValue.self, from: body)["detail"]?.stringValue == "status 503")
    }

    @Test("a file range uploads with exactly its length as Content-Length, not chunked", arguments: all)
    func fileRangeUpload(_ kind: TransportUnderTest) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString).bin").path
        let content = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try content.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for (offset, length) in [(1000, 150_000), (0, content.count)] {
            let response = try await kind.transport.send(request("/echo", method: "PUT", body: .file(path: path, offset: Int64(offset), length: Int64(length))))
            let echo = try JSONDecoder().decode(JSONValue.self, from: response.body)
            #expect(echo["size"] == .int(length))
            #expect(echo["sha256"]?.stringValue == sha256Hex(content[offset..<(offset + length)]))
            #expect(echo["headers"]?["content-length"]?.stringValue == String(length))
            #expect(echo["chunked"] == .bool(false))
        }
    }

    @Test("cancelling the task reading a stream aborts it with CancellationError", arguments: all)
    func cancellationMidStream(_ kind: TransportUnderTest) async throws {
        let transport = kind.transport
        let started = ContinuousClock.now
        let reader = Task {
            let response = try await transport.stream(self.request("/endless"))
            var received = 0
            for try await chunk in response.body { received += chunk.count }
            return received
        }
        try await Task.sleep(for: .milliseconds(300))
        reader.cancel()
        let error = await Self.failure { _ = try await reader.value }
        #expect(error is CancellationError, "\(String(describing: error))")
        #expect(started.duration(to: .now) < .seconds(15))
    }

    @Test("leaving the loop over a stream ends the transfer, and the transport goes on working", arguments: all)
    func leavingTheLoopAborts(_ kind: TransportUnderTest) async throws {
        let response = try await kind.transport.stream(request("/endless"))
        var received = 0
        for try await chunk in response.body {
            received += chunk.count
            if received > 1 << 20 { break }
        }
        #expect(received > 1 << 20)
        #expect(try await kind.transport.send(request("/status/200")).status == 200)
    }

    @Test("the whole-transfer deadline fails a slow answer as a timeout", arguments: all)
    func deadline(_ kind: TransportUnderTest) async throws {
        let started = ContinuousClock.now
        let error = await Self.failure { _ = try await kind.transport.send(request("/slow?s=30", timeout: .milliseconds(500))) }
        let failure = try #require(error as? TransportFailure, "\(String(describing: error))")
        #expect(failure.kind == .timeout)
        #expect(started.duration(to: .now) < .seconds(10))
    }

    @Test("the idle timeout ends a server that never answers", arguments: all)
    func idleTimeout(_ kind: TransportUnderTest) async throws {
        let started = ContinuousClock.now
        let error = await Self.failure { _ = try await kind.transport.send(request("/never-answers", timeout: nil, idleTimeout: .seconds(1))) }
        let failure = try #require(error as? TransportFailure, "\(String(describing: error))")
        #expect(failure.kind == .timeout)
        #expect(started.duration(to: .now) < .seconds(10))
    }

    @Test("the connect timeout ends a connection that never completes, as a connect failure", arguments: all)
    func connectTimeout(_ kind: TransportUnderTest) async throws {
        let started = ContinuousClock.now
        let url = "http://127.0.0.1:\(HostileHTTP.endpoints.blackholePort)/"
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        let error = await Self.failure {
            _ = try await kind.transport.send(HTTPRequest(
                method: "POST", url: url, headers: headers, body: .data(Data("{}".utf8)), timeout: nil,
                connectTimeout: .milliseconds(500), idleTimeout: .seconds(30)))
        }
        let failure = try #require(error as? TransportFailure, "\(String(describing: error))")
        // libcurl knows the connection never completed. URLSession reports no connect event, and its "body
        // sent" callback can lag the socket, so it cannot prove nothing was sent: a timeout, never resent.
        #expect(failure.kind == (kind == .libcurl ? .connect : .timeout), "\(failure)")
        #expect(started.duration(to: .now) < .seconds(10))
    }

    // Regression (issue 18): over URLSession the connect timeout was a time-to-first-byte limit for requests
    // without a body, so any GET whose answer took longer than it failed as a connect failure.
    @Test("an answer slower than the connect timeout is not a connect failure", arguments: all)
    func slowAnswerIsNotAConnectTimeout(_ kind: TransportUnderTest) async throws {
        let response = try await kind.transport.send(request("/slow?s=1.5", connectTimeout: .milliseconds(300)))
        #expect(response.status == 200)
        var streamed = request("/slow?s=1.5", connectTimeout: .milliseconds(300))
        streamed.method = "GET"
        let stream = try await kind.transport.stream(streamed)
        #expect(stream.head.status == 200)
        for try await _ in stream.body {}
    }

    @Test("connection refused is a connect failure", arguments: all)
    func connectionRefused(_ kind: TransportUnderTest) async throws {
        let error = await Self.failure { _ = try await kind.transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/nothing")) }
        let failure = try #require(error as? TransportFailure, "\(String(describing: error))")
        #expect(failure.kind == .connect)
        #expect(failure.requestNotSent)
    }

    @Test("64 concurrent requests all complete", arguments: all)
    func concurrentRequests(_ kind: TransportUnderTest) async throws {
        let transport = kind.transport
        let request = request("/slow?s=0.05")
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<64 { group.addTask { try await transport.send(request).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 64 && statuses.allSatisfy { $0 == 200 })
    }

    @Test("a buffered body over the limit fails with .limit instead of growing", arguments: all)
    func bufferedLimit(_ kind: TransportUnderTest) async throws {
        var request = request("/endless")
        request.responseBodyLimit = 1 << 20
        let error = await Self.failure { _ = try await kind.transport.send(request) }
        let failure = try #require(error as? TransportFailure, "\(String(describing: error))")
        #expect(failure.kind == .limit)
    }

    @Test("a consumer that stops reading pauses the transfer: what is buffered stays bounded", arguments: all)
    func slowConsumerPausesTheTransfer(_ kind: TransportUnderTest) async throws {
        let response = try await kind.transport.stream(request("/endless"))
        var iterator = response.body.makeAsyncIterator()
        _ = try await iterator.next()
        // The server sends as fast as loopback goes. libcurl pauses the transfer: nothing more arrives, and
        // what arrived is the buffer plus one chunk. Linux's URLSession delivers what it read ahead for a
        // while after being suspended: it is cut off at 16 × the buffer with a `.limit` failure instead.
        let cap = HTTPBodyStream.defaultBufferLimit * 16
        try await Task.sleep(for: .milliseconds(700))
        let paused = response.body.channel.bufferedBytes
        try await Task.sleep(for: .milliseconds(1000))
        let later = response.body.channel.bufferedBytes
        #expect(paused <= cap && later <= cap, "\(paused), then \(later) bytes buffered while the consumer slept")
        var more = 0
        do {
            while more < 4 << 20, let chunk = try await iterator.next() { more += chunk.count }
            #expect(more >= 4 << 20)  // it goes on once the consumer reads again
            if kind == .libcurl { #expect(later == paused, "the buffer grew from \(paused) to \(later) bytes while paused") }
        } catch let failure as TransportFailure {
            #expect(kind == .urlSession && failure.kind == .limit, "\(failure)")
        }
    }
}
