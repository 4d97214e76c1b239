import Crypto
import FalProxyHummingbird
@testable import FalRuntime
import Foundation
import HTTPTypes
import Hummingbird
import Testing

/// `HTTPBody.stream`: the transport contract for a request body produced while it is sent (what the proxy
/// forwards uploads with), against a local Hummingbird sink that reads the body as it arrives.
@Suite("streamed request bodies (transport contract)")
struct StreamingRequestBodyTests {
    /// Answers `POST /sink` with `bytes sha256 content-length transfer-encoding` of what it received.
    static func withSink(_ body: (String) async throws -> Void) async throws {
        let router = Router()
        router.post("/sink") { request, _ -> String in
            var hash = SHA256()
            var count = 0
            for try await buffer in request.body {
                count += buffer.readableBytes
                buffer.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
            }
            let digest = hash.finalize().map { String(format: "%02x", $0) }.joined()
            return "\(count) \(digest) \(request.headers[.contentLength] ?? "-") \(request.headers[.transferEncoding] ?? "-")"
        }
        let server = try await LocalProxyServer.start(router)
        do {
            try await body(server.baseURL.absoluteString + "/sink")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// `count` chunks of `size` bytes, each filled with its index, with an optional pause between chunks.
    struct Chunks: AsyncSequence, Sendable {
        var count: Int
        var size: Int
        var pause: Duration = .zero
        var failAt: Int?
        func makeAsyncIterator() -> Iterator { Iterator(chunks: self) }
        struct Iterator: AsyncIteratorProtocol {
            let chunks: Chunks
            var index = 0
            mutating func next() async throws -> Data? {
                guard index < chunks.count else { return nil }
                if index == chunks.failAt { throw CancellationError() }
                if chunks.pause > .zero { try await Task.sleep(for: chunks.pause) }
                defer { index += 1 }
                return Data(repeating: UInt8(truncatingIfNeeded: index), count: chunks.size)
            }
        }
        var expectedDigest: String {
            var hash = SHA256()
            for index in 0..<count { hash.update(data: Data(repeating: UInt8(truncatingIfNeeded: index), count: size)) }
            return hash.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    static func post(_ url: String, _ source: HTTPRequestBodySource, idle: Duration = .seconds(10)) async throws -> [String] {
        let response = try await HTTPTransport().send(FalRuntime.HTTPRequest(
            method: "POST", url: url, body: .stream(source), timeout: .seconds(60), idleTimeout: idle))
        #expect(response.status == 200)
        return String(decoding: response.body, as: UTF8.self).split(separator: " ").map(String.init)
    }

    @Test("without a length the body goes chunked, every byte in order")
    func chunked() async throws {
        try await Self.withSink { url in
            let chunks = Chunks(count: 40, size: 100_000)
            let answer = try await Self.post(url, HTTPRequestBodySource(chunks))
            #expect(answer == ["4000000", chunks.expectedDigest, "-", "chunked"])
        }
    }

    @Test("with a length it is the Content-Length, and a slow source is waited for")
    func withLength() async throws {
        try await Self.withSink { url in
            let chunks = Chunks(count: 5, size: 1000, pause: .milliseconds(50))
            let answer = try await Self.post(url, HTTPRequestBodySource(chunks, length: 5000))
            #expect(answer == ["5000", chunks.expectedDigest, "5000", "-"])
        }
    }

    @Test("a source shorter or longer than its length fails the transfer")
    func wrongLength() async throws {
        try await Self.withSink { url in
            for length in [Int64(4999), 5001] {
                do {
                    _ = try await Self.post(url, HTTPRequestBodySource(Chunks(count: 5, size: 1000), length: length))
                    Issue.record("a body of 5000 bytes sent as \(length) was accepted")
                } catch let failure as TransportFailure {
                    #expect(failure.message.contains("request body"), "\(failure.message)")
                }
            }
        }
    }

    @Test("a failing source aborts the transfer with its reason")
    func failingSource() async throws {
        try await Self.withSink { url in
            await #expect(throws: TransportFailure.self) {
                _ = try await Self.post(url, HTTPRequestBodySource(Chunks(count: 10, size: 1000, failAt: 3)))
            }
        }
    }

    @Test("a source that goes silent fails after the idle timeout, not never")
    func silentSource() async throws {
        try await Self.withSink { url in
            let start = ContinuousClock.now
            do {
                _ = try await Self.post(url, HTTPRequestBodySource(Chunks(count: 3, size: 10, pause: .seconds(30))), idle: .seconds(1))
                Issue.record("a silent source was waited for without end")
            } catch let failure as TransportFailure {
                // Whichever notices first: libcurl's low-speed limit (the upload made no progress) or the pump's watch.
                #expect(failure.kind == .timeout || failure.message.contains("sent nothing"), "\(failure)")
            }
            #expect(ContinuousClock.now - start < .seconds(15))
        }
    }

    @Test("URLSessionTransport refuses a streamed body with a clear error")
    func urlSessionRefuses() async throws {
        do {
            _ = try await URLSessionTransport().send(FalRuntime.HTTPRequest(
                method: "POST", url: "http://127.0.0.1:9/x", body: .stream(HTTPRequestBodySource(Chunks(count: 1, size: 1)))))
            Issue.record("URLSession sent a streamed body")
        } catch let failure as TransportFailure {
            #expect(failure.message.contains("HTTPBody.stream"))
        }
    }
}
