import FalProxy
import FalProxyHummingbird
@testable import FalRuntime
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import Testing

/// The live proxy (Hummingbird, over HTTP on 127.0.0.1) against hostile callers and a hostile upstream:
/// refused targets never reach any upstream, redirects are not followed, the key appears in no answer and no log.
@Suite("proxy hostile targets (Hummingbird)")
struct ProxyHostileTests {
    static let key = "hostile-suite-key-0f3c:SECRETSECRET"

    /// A stand-in for fal on 127.0.0.1: counts every request; `/redirect` answers 302 to `/stolen`, `/echo`
    /// answers with the headers it received (as a hostile or buggy upstream might).
    final class StandIn: Sendable {
        let hits = Mutex<[String]>([])
        let authorizations = Mutex<[String]>([])

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.get("/redirect") { [self] request, _ -> Response in
                hits.withLock { $0.append("/redirect") }
                return Response(status: .found, headers: [.location: "https://evil.example/stolen"])
            }
            router.get("/redirect-local") { [self] request, context -> Response in
                hits.withLock { $0.append("/redirect-local") }
                return Response(status: .temporaryRedirect, headers: [.location: "/stolen"])
            }
            router.get("/stolen") { [self] request, _ -> Response in
                hits.withLock { $0.append("/stolen") }
                return Response(status: .ok)
            }
            router.post("/sink") { [self] request, _ -> Response in
                hits.withLock { $0.append("/sink") }
                for try await _ in request.body {}
                return Response(status: .ok)
            }
            router.get("/ok") { [self] request, _ -> Response in
                hits.withLock { $0.append("/ok") }
                authorizations.withLock { $0.append(request.headers[.authorization] ?? "") }
                return Response(status: .ok, headers: [.contentType: "text/plain", .connection: "x-secret-hop", HTTPField.Name("x-secret-hop")!: "1"], body: .init(byteBuffer: .init(string: "fine")))
            }
            return router
        }
    }

    static func withProxy(
        upstreams: (URL) -> ProxyUpstreams = { .init(baseURLs: ["fal.run": $0.absoluteString]) }, maximumBody: Int64 = 8 << 30,
        _ body: (_ proxyURL: String, _ standIn: StandIn, _ logs: CapturedLogs) async throws -> Void
    ) async throws {
        let standIn = StandIn()
        let upstream = try await LocalProxyServer.start(standIn.router())
        let logs = CapturedLogs()
        let proxy = FalProxy(
            configuration: .init(
                credentials: FalCredentials(key: key), authentication: .everyone, upstreams: upstreams(upstream.baseURL),
                maximumRequestBodyBytes: maximumBody),
            logger: logs.logger())
        let server = try await LocalProxyServer.start(proxy)
        do {
            try await body(server.baseURL.absoluteString + "/api/fal/proxy", standIn, logs)
        } catch {
            await server.stop()
            await upstream.stop()
            throw error
        }
        await server.stop()
        await upstream.stop()
    }

    static func call(_ proxyURL: String, target: String?, method: String = "GET", extra: [(String, String)] = []) async throws -> FalRuntime.HTTPResponse {
        var headers = FalRuntime.HTTPHeaders(extra)
        if let target { headers.set("x-fal-target-url", target) }
        return try await HTTPTransport().send(FalRuntime.HTTPRequest(method: method, url: proxyURL, headers: headers, timeout: .seconds(20)))
    }

    static func assertNoKey(_ response: FalRuntime.HTTPResponse, _ logs: CapturedLogs, sourceLocation: SourceLocation = #_sourceLocation) {
        let secret = "SECRETSECRET"
        #expect(!String(decoding: response.body, as: UTF8.self).contains(secret), sourceLocation: sourceLocation)
        #expect(!response.headers.fields.contains { $0.value.contains(secret) }, sourceLocation: sourceLocation)
        #expect(!logs.all.contains { $0.contains(secret) }, sourceLocation: sourceLocation)
    }

    @Test("hostile targets are refused with 403 and reach no upstream", arguments: [
        "https://evilfal.run/ok", "https://fal.run.evil.com/ok", "https://fal.run@evil.com/ok", "https://user@fal.run/ok",
        "https://127.0.0.1/ok", "https://[::1]/ok", "http://169.254.169.254/latest/meta-data/", "http://fal.run/ok",
        "https://xn--fl-7kc.run/ok", "https://f\u{0430}l.run/ok", "https://rest.fal.ai/keys",
        "https://v3.fal.media/files/some-key",  // downloads are not proxied (GET); fal's file URLs are public
    ])
    func hostileTarget(_ target: String) async throws {
        try await Self.withProxy { proxyURL, standIn, logs in
            // Non-ASCII cannot go in a header as is: its bytes are sent percent-encoded, as a client would have to.
            let ascii = target.unicodeScalars.map { $0.isASCII ? String($0) : String($0).utf8.map { String(format: "%%%02X", $0) }.joined() }.joined()
            let response = try await Self.call(proxyURL, target: ascii)
            #expect(response.status == 403)
            #expect(standIn.hits.withLock { $0 }.isEmpty)
            Self.assertNoKey(response, logs)
        }
    }

    @Test("a missing target is a 400")
    func missingTarget() async throws {
        try await Self.withProxy { proxyURL, standIn, logs in
            let response = try await Self.call(proxyURL, target: nil)
            #expect(response.status == 400)
            #expect(standIn.hits.withLock { $0 }.isEmpty)
        }
    }

    @Test("a redirect from fal to elsewhere is passed back, never followed")
    func redirectNotFollowed() async throws {
        try await Self.withProxy { proxyURL, standIn, logs in
            let away = try await Self.call(proxyURL, target: "https://fal.run/redirect")
            #expect(away.status == 302)
            #expect(away.headers["Location"] == "https://evil.example/stolen")
            let local = try await Self.call(proxyURL, target: "https://fal.run/redirect-local")
            #expect(local.status == 307)
            #expect(standIn.hits.withLock { $0 } == ["/redirect", "/redirect-local"], "the redirect target was never requested")
            Self.assertNoKey(away, logs)
        }
    }

    @Test("the caller's Authorization is replaced by the key; hop-by-hop headers are dropped both ways")
    func headers() async throws {
        try await Self.withProxy { proxyURL, standIn, logs in
            let response = try await Self.call(
                proxyURL, target: "https://fal.run/ok",
                extra: [("Authorization", "Key caller-supplied:stolen"), ("Connection", "x-caller-hop"), ("x-caller-hop", "1"), ("Cookie", "session=abc")])
            #expect(response.status == 200)
            #expect(standIn.authorizations.withLock { $0 } == ["Key \(Self.key)"])
            #expect(response.headers["x-secret-hop"] == nil, "named by fal's Connection header")
            #expect(response.headers["Connection"] == nil || response.headers["Connection"]?.lowercased().contains("x-secret-hop") == false)
            #expect(String(decoding: response.body, as: UTF8.self) == "fine")
            #expect(response.headers["Content-Length"] == "4", "an unencoded body keeps its length")
            Self.assertNoKey(response, logs)
        }
    }

    @Test("an unreachable upstream is a 502 that names neither the key nor the upstream's words")
    func unreachable() async throws {
        // A port nothing listens on: bind one, close it.
        let closed = try await LocalProxyServer.start(Router())
        let dead = closed.baseURL
        await closed.stop()
        try await Self.withProxy(upstreams: { _ in .init(baseURLs: ["fal.run": dead.absoluteString]) }) { proxyURL, _, logs in
            let response = try await Self.call(proxyURL, target: "https://fal.run/ok")
            #expect(response.status == 502)
            Self.assertNoKey(response, logs)
            #expect(logs.all.contains { $0.contains("upstream failed") })
        }
    }

    @Test("a body over the proxy's limit is a 413: declared ones before anything is sent, chunked ones when they cross it")
    func bodyLimit() async throws {
        try await Self.withProxy(maximumBody: 100_000) { proxyURL, standIn, logs in
            let declared = try await HTTPTransport().send(FalRuntime.HTTPRequest(
                method: "POST", url: proxyURL, headers: FalRuntime.HTTPHeaders([("x-fal-target-url", "https://fal.run/sink")]),
                body: .data(Data(count: 100_001))))
            #expect(declared.status == 413)
            #expect(standIn.hits.withLock { $0 }.isEmpty)
            let chunks = (0..<50).map { _ in Data(count: 10_000) }
            let chunked = try await HTTPTransport().send(FalRuntime.HTTPRequest(
                method: "POST", url: proxyURL, headers: FalRuntime.HTTPHeaders([("x-fal-target-url", "https://fal.run/sink")]),
                body: .stream(HTTPRequestBodySource(chunks.asyncElements))))
            #expect(chunked.status == 413)
            let fits = try await HTTPTransport().send(FalRuntime.HTTPRequest(
                method: "POST", url: proxyURL, headers: FalRuntime.HTTPHeaders([("x-fal-target-url", "https://fal.run/sink")]),
                body: .stream(HTTPRequestBodySource(Array(chunks.prefix(10)).asyncElements))))
            #expect(fits.status == 200)
            Self.assertNoKey(chunked, logs)
        }
    }

    @Test("a proxy that lets everyone through says so at start")
    func warnsWhenOpen() {
        let logs = CapturedLogs()
        _ = FalProxy(configuration: .init(credentials: FalCredentials(key: Self.key), authentication: .everyone), logger: logs.logger())
        #expect(logs.all.contains { $0.hasPrefix("warning") && $0.contains("every caller") })
        let closed = CapturedLogs()
        _ = FalProxy(configuration: .init(credentials: FalCredentials(key: Self.key), authentication: .using { _ in false }), logger: closed.logger())
        #expect(!closed.all.contains { $0.hasPrefix("warning") })
        #expect(!(logs.all + closed.all).contains { $0.contains("SECRETSECRET") })
    }
}

extension Sequence where Self: Sendable {
    /// The elements as an `AsyncSequence`.
    var asyncElements: AsyncElements<Self> { AsyncElements(base: self) }
}

struct AsyncElements<Base: Sequence & Sendable>: AsyncSequence, Sendable {
    let base: Base
    func makeAsyncIterator() -> Iterator { Iterator(base: base.makeIterator()) }
    struct Iterator: AsyncIteratorProtocol {
        var base: Base.Iterator
        mutating func next() async -> Base.Element? { base.next() }
    }
}
