// Support for the ClientFuzz libFuzzer target (Tests/Fuzz/ClientFuzz.swift): reading the fuzzer's bytes as a
// script (FuzzScript.swift), a `Transport` that answers every request of `FalClient` from that script like a hostile fal would, and a
// watchdog that turns a hang into a crash libFuzzer reports. Built by scripts/fuzz.sh (see there).
import Crypto
import FalRuntime
import Foundation
import Synchronization

// MARK: JSON text

enum JSONText {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    /// Values a hostile server puts where a field belongs.
    static let hostile: [String] = [
        "null", "true", "false", "0", "-1", "1.5", "-0", "1e309", "-1e309", "1e-400", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "18446744073709551616", "123456789012345678901234567890",
        "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\uDBFF\\uDFFF\"", "[]", "{}", "[null]",
        "{\"a\":1,\"a\":2}", "\"" + String(repeating: "a", count: 20_000) + "\"",
        String(repeating: "[", count: 64) + String(repeating: "]", count: 64),
        String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000),
        String(repeating: "{\"a\":", count: 5_000) + "1" + String(repeating: "}", count: 5_000),
        // Deeper than any stack holds one frame per level: a recursive reader must refuse, not overflow.
        String(repeating: "[", count: 300_000) + String(repeating: "]", count: 300_000),
        String(repeating: "{\"a\":", count: 200_000) + "1" + String(repeating: "}", count: 200_000),
        "[" + Array(repeating: "1", count: 10_000).joined(separator: ",") + "]",
        "\"2025-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59.999999999+14:00\"", "\"-0001-01-01T00:00:00Z\"",
        "\"https://queue.fal.run/fal-ai/fuzz/requests/x\"", "\"https://evil.example/steal\"", "\"data:,\"",
    ]
}

// MARK: Watchdog

/// Fails the process (so libFuzzer keeps the input) when one input runs past `limit`, naming what it was doing.
final class Watchdog: Sendable {
    static let shared = Watchdog()

    private struct State {
        var label = ""
        var started: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    let limit: Duration

    private init() {
        let milliseconds = ProcessInfo.processInfo.environment["FUZZ_CLIENT_WATCHDOG_MS"].flatMap(Int.init) ?? 2000
        limit = .milliseconds(milliseconds)
        let thread = Thread { [self] in watch() }
        thread.name = "ClientFuzz watchdog"
        thread.start()
    }

    func begin() { state.withLock { $0 = State(label: "starting", started: .now) } }
    func end() { state.withLock { $0.started = nil } }
    func note(_ label: String) { state.withLock { $0.label = label } }

    private func watch() {
        while true {
            Thread.sleep(forTimeInterval: 0.05)
            let (label, elapsed) = state.withLock { state in (state.label, state.started.map { $0.duration(to: .now) }) }
            if let elapsed, elapsed > limit {
                fatalError("ClientFuzz: one input ran for \(elapsed) (limit \(limit)); it was at: \(label)")
            }
        }
    }
}

// MARK: The transport

/// Keys and hosts the script and the checks share.
enum Fal {
    static let key = "fuzz-key-id:fuzz-key-secret"
    static let hosts = FalHosts.production
    static let proxy = "https://proxy.example.com/api/fal"
    /// fal's webhook signing key in this process; its public half is what the JWKS answers hold.
    static let signingKeyBytes = Curve25519.Signing.PrivateKey().rawRepresentation
    static var signingKey: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: signingKeyBytes) }
    static var publicKeyX: String {
        signingKey.publicKey.rawRepresentation.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// A transfer failure kind a real transport could report, or an error no transport should throw.
struct StrangeTransportError: Error {}

/// Answers each request from the script, as a hostile fal (or a broken network) could, and checks what the
/// client sends: the key goes only to fal's configured hosts, header lines are intact, and a submit or run
/// is not sent again after an answer that leaves open whether fal started it (double billing).
final class ScriptedTransport: Transport, Sendable {
    private struct State {
        var script: FuzzScript
        var requests = 0
        var inFlight = 0
        /// `METHOD URL` of work-starting requests → whether their last answer left open that fal received them.
        var workAnswers: [String: Bool] = [:]
    }

    private let state: Mutex<State>
    let proxyMode: Bool
    let checksDoubleBilling: Bool
    /// FUZZ_CLIENT_TRACE=1 prints every request and its answer (to turn a finding into a regression test).
    static let trace = ProcessInfo.processInfo.environment["FUZZ_CLIENT_TRACE"] != nil
    /// Most requests one input may make; after that every request fails with `.limit`.
    static let requestCap = 160

    init(script: FuzzScript, proxyMode: Bool, checksDoubleBilling: Bool) {
        state = Mutex(State(script: script))
        self.proxyMode = proxyMode
        self.checksDoubleBilling = checksDoubleBilling
    }

    /// Reads from the script under the transport's lock (the driver and concurrent requests share it).
    func read<T>(_ body: (inout FuzzScript) -> T) -> T { state.withLock { body(&$0.script) } }

    var inFlight: Int { state.withLock { $0.inFlight } }
    var exhausted: Bool { state.withLock { $0.script.exhausted } }

    /// A new client operation: resends are judged within one call only.
    func beginOperation() { state.withLock { $0.workAnswers = [:] } }

    // MARK: Transport

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let answer = begin(request, streaming: false)
        defer { state.withLock { $0.inFlight -= 1 } }
        try await pause(answer.delay)
        switch answer.outcome {
        case .failure(let error):
            throw error
        case .response(let status, let headers, let body, _):
            if body.count > request.responseBodyLimit {
                throw TransportFailure(kind: .limit, code: 63, message: "body over \(request.responseBodyLimit) bytes", receivedStatus: status)
            }
            return HTTPResponse(status: status, headers: HTTPHeaders(headers), body: body)
        }
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let answer = begin(request, streaming: true)
        var handedOver = false
        defer { if !handedOver { state.withLock { $0.inFlight -= 1 } } }
        try await pause(answer.delay)
        switch answer.outcome {
        case .failure(let error):
            throw error
        case .response(let status, let headers, let body, let plan):
            let (stream, producer) = HTTPBodyStream.makeStream(bufferLimit: 4096)
            // At most 512 chunks: a 600 KB body in 1-byte chunks takes seconds under ASan without telling anything new.
            let chunks = plan.chunkSize.map { max($0, body.count / 512) }.map { size in
                stride(from: 0, to: body.count, by: size).map { body.subdata(in: $0..<min($0 + size, body.count)) }
            } ?? (body.isEmpty ? [] : [body])
            let task = Task {
                defer { self.state.withLock { $0.inFlight -= 1 } }
                for (index, chunk) in chunks.enumerated() {
                    if Task.isCancelled { return }
                    if producer.push(chunk) == .terminated { return }
                    if plan.yieldEvery > 0, index % plan.yieldEvery == 0 { await Task.yield() }
                }
                switch plan.end {
                case .finish: producer.finish()
                case .fail(let error): producer.finish(throwing: error)
                case .stall:
                    // Nothing more arrives: a real transport's idle timeout fires (shortened here).
                    try? await Task.sleep(for: .milliseconds(3))
                    producer.finish(throwing: TransportFailure(kind: .timeout, code: 28, message: "idle timeout", receivedStatus: status))
                }
            }
            producer.onTermination { task.cancel() }
            handedOver = true
            return HTTPStreamingResponse(head: HTTPResponseHead(status: status, headers: HTTPHeaders(headers)), body: stream)
        }
    }

    /// Short waits only, ending with `CancellationError` when the task is cancelled (the contract).
    private func pause(_ delay: Duration) async throws {
        if delay > .zero { try await Task.sleep(for: delay) } else if Task.isCancelled { throw CancellationError() }
    }

    // MARK: Checks and the answer

    private func begin(_ request: HTTPRequest, streaming: Bool) -> Answer {
        check(request)
        let key = "\(request.method) \(request.url)"
        return state.withLock { state in
            if checksDoubleBilling, request.sendsAtMostOnce, state.workAnswers[key] == true {
                fatalError("ClientFuzz: \(key) was sent again after an answer that left open whether fal started it (double billing)")
            }
            state.requests += 1
            Watchdog.shared.note("request \(state.requests): \(key.prefix(200))")
            let answer: Answer
            if state.script.exhausted || state.requests > Self.requestCap {
                answer = Answer(outcome: .failure(TransportFailure(kind: .limit, code: 0, message: "script exhausted")), delay: .zero)
            } else {
                var writer = AnswerWriter(script: state.script, route: Route(request, proxyMode: proxyMode), streaming: streaming)
                answer = writer.answer()
                state.script = writer.script
            }
            if request.sendsAtMostOnce { state.workAnswers[key] = answer.leavesReceiptOpen }
            if Self.trace { FileHandle.standardError.write(Data("ClientFuzz: \(key) \(streaming ? "(stream) " : "")→ \(answer)\n".utf8)) }
            state.inFlight += 1
            return answer
        }
    }

    /// What the client must never send, whatever the server said before.
    private func check(_ request: HTTPRequest) {
        for field in request.headers.fields {
            guard HTTPHeaders.isValidName(field.name), HTTPHeaders.isValidValue(field.value) else {
                fatalError("ClientFuzz: a header line that breaks framing reached the transport: \(field.name.debugDescription)")
            }
        }
        // The URL goes on the request line: a control character there (CR, LF, NUL, …) ends it early or smuggles
        // a header, whatever the server's answers put into the URLs the client follows.
        if request.url.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            fatalError("ClientFuzz: a URL with a control character reached the transport: \(request.url.debugDescription)")
        }
        let authorization = request.headers["Authorization"]
        // A signed upload URL belongs to a storage provider: neither the key nor the CDN token goes there.
        if URLComponents(string: request.url)?.host == "storage.example", authorization != nil {
            fatalError("ClientFuzz: credentials were sent to the signed upload URL \(request.url)")
        }
        if authorization == "Key \(Fal.key)" {
            if proxyMode { fatalError("ClientFuzz: the key was sent in proxy mode to \(request.url)") }
            let allowed = [Fal.hosts.queue, Fal.hosts.run, Fal.hosts.rest]
            let onHost = allowed.contains { request.url == $0 || request.url.hasPrefix($0 + "/") || request.url.hasPrefix($0 + "?") }
            let parsedHost = URLComponents(string: request.url)?.host
            let hostOK = parsedHost == nil || allowed.contains { URLComponents(string: $0)?.host == parsedHost }
            guard onHost, hostOK else { fatalError("ClientFuzz: the key was sent to \(request.url), not a fal host") }
        }
        if proxyMode, request.headers["x-fal-target-url"] != nil, request.url != Fal.proxy {
            fatalError("ClientFuzz: a proxied request went to \(request.url), not the proxy")
        }
    }
}

/// Which fal service a request is for, from its URL (the proxy's target in proxy mode).
enum Route {
    case submit, status, statusStream, result, cancel, run, runStream
    case token, cdnUpload, multipartCreate, multipartPart, multipartComplete, initiate, signedPut, jwks, other

    init(_ request: HTTPRequest, proxyMode: Bool) {
        let url = proxyMode ? (request.headers["x-fal-target-url"] ?? request.url) : request.url
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let method = request.method
        if path.hasSuffix("/.well-known/jwks.json") { self = .jwks }
        else if path.contains("/storage/auth/token") { self = .token }
        else if path.contains("/storage/upload/initiate") { self = .initiate }
        else if path.hasSuffix("/files/upload") { self = .cdnUpload }
        else if path.hasSuffix("/files/upload/multipart") { self = .multipartCreate }
        else if path.contains("/multipart/"), path.hasSuffix("/complete") { self = .multipartComplete }
        else if path.contains("/multipart/"), method == "PUT" { self = .multipartPart }
        else if path.hasSuffix("/cancel") { self = .cancel }
        else if path.hasSuffix("/status/stream") { self = .statusStream }
        else if path.hasSuffix("/status") { self = .status }
        else if path.contains("/requests/"), method == "GET" { self = .result }
        else if path.hasPrefix(Fal.hosts.run + "/") { self = path.hasSuffix("/stream") ? .runStream : .run }
        else if path.hasPrefix(Fal.hosts.queue + "/"), method == "POST" { self = .submit }
        else if method == "PUT" { self = .signedPut }
        else { self = .other }
    }
}

/// How a streamed body arrives and ends.
struct StreamPlan {
    enum End { case finish, fail(any Error), stall }
    var chunkSize: Int?
    var yieldEvery = 0
    var end = End.finish
}

struct Answer {
    enum Outcome {
        case response(status: Int, headers: [(name: String, value: String)], body: Data, stream: StreamPlan)
        case failure(any Error)
    }
    var outcome: Outcome
    var delay: Duration

    /// Whether, after this answer, it is open whether fal received a work-starting request: anything but a
    /// failure to connect, a 429, an ingress 503 (refused before processing) or a redirect the client follows.
    var leavesReceiptOpen: Bool {
        switch outcome {
        case .failure(let error):
            return (error as? TransportFailure)?.kind != .connect
        case .response(let status, let headers, let body, _):
            let fields = HTTPHeaders(headers)
            if status == 429 { return false }
            if [301, 302, 303, 307, 308].contains(status), fields["Location"] != nil { return false }
            if status == 503, !fields.contains("x-fal-request-id"), String(decoding: body.prefix(64 * 1024), as: UTF8.self).contains("nginx") {
                return false
            }
            return true
        }
    }
}

/// Writes one answer from the script: mostly what fal would answer this route (every value open to
/// mutation), or an error page, a throttle, a redirect, a transfer failure, or bytes with no shape at all.
struct AnswerWriter {
    var script: FuzzScript
    let route: Route
    let streaming: Bool

    mutating func answer() -> Answer {
        let delay: Duration = script.oneIn(8) ? .microseconds(script.int(3000)) : .zero
        let mode = script.int(16)
        var status = 200
        var headers: [(name: String, value: String)] = []
        var body = ""
        var plan = StreamPlan()
        switch mode {
        case 0...8:
            (status, headers, body) = plausible()
        case 9:
            (_, headers, body) = plausible()
            status = script.pick(Self.errorStatuses)
        case 10:
            status = script.pick(Self.errorStatuses)
            body = errorBody()
            if script.bool() { headers.append(("x-fal-request-id", value(for: "x-fal-request-id"))) }
            if script.oneIn(4) { headers.append(("X-Fal-Request-Timeout-Type", script.pick(["user", "USER", "server", ""]))) }
        case 11:
            status = script.pick([429, 429, 503, 503, 502, 504, 408, 409])
            headers.append(("Retry-After", value(for: "Retry-After")))
            body = script.bool() ? "<html><body><center><h1>\(status)</h1></center><hr><center>nginx</center></body></html>" : errorBody()
        case 12:
            status = script.pick([301, 302, 303, 307, 308, 300, 304, 305, 399])
            let count = 1 + script.int(2)
            for _ in 0..<count { headers.append(("Location", value(for: "Location"))) }
        case 13:
            let kind = script.pick([TransportFailure.Kind.connect, .timeout, .limit, .other])
            let received: Int? = script.bool() ? script.pick([200, 100, 429, 500, -1]) : nil
            return Answer(outcome: .failure(TransportFailure(kind: kind, code: script.int(100), message: script.text(), receivedStatus: received)), delay: delay)
        case 14:
            let error: any Error = script.pick([CancellationError(), StrangeTransportError(), URLError(.badServerResponse), DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "transport"))] as [any Error])
            return Answer(outcome: .failure(error), delay: delay)
        default:
            status = script.pick([script.int16(), -script.int16(), Int.max, Int.min, 0, 100, 101, 103, 199, 200, 206, 299, 600, 1000])
            body = String(decoding: script.raw(max: 255), as: UTF8.self)
        }
        let extra = script.int(8)
        if extra >= 5 {
            for _ in 0..<(extra - 4) {
                let name = script.pick(Self.headerNames)
                headers.append((name, value(for: name)))
            }
        }
        var data = Data(body.utf8)
        switch script.int(12) {
        case 0: data = data.prefix(script.int16() % max(1, data.count + 1))
        case 1: data.append(contentsOf: script.raw(max: 64))
        case 2: data = Data(script.raw(max: 255))
        case 3: data.insert(contentsOf: script.raw(max: 8), at: data.startIndex + script.int16() % max(1, data.count + 1))
        default: break
        }
        if streaming {
            plan.chunkSize = script.oneIn(3) ? nil : 1 + script.int(64)
            plan.yieldEvery = script.int(4)
            switch script.int(6) {
            case 0: plan.end = .stall
            case 1: plan.end = .fail(TransportFailure(kind: script.pick([.timeout, .other, .limit, .connect]), code: 56, message: "reset", receivedStatus: status))
            case 2: plan.end = .fail(script.bool() ? CancellationError() : StrangeTransportError())
            default: plan.end = .finish
            }
        }
        return Answer(outcome: .response(status: status, headers: headers, body: data, stream: plan), delay: delay)
    }

    static let errorStatuses = [400, 401, 403, 404, 405, 408, 409, 410, 413, 422, 429, 500, 502, 503, 504, 100, 101, 199, 304, 418, 599, 0, -1]
    static let headerNames = [
        "Retry-After", "Content-Type", "Content-Length", "Location", "x-fal-request-id", "ETag", "X-Fal-Request-Timeout-Type",
        "x-fal-error-type", "Transfer-Encoding", "retry-after", "LOCATION", "etag",
    ]

    mutating func value(for name: String) -> String {
        if script.oneIn(16) { return script.text(max: 255) }
        if script.oneIn(32) { return String(repeating: script.pick(["9", "a", " ", "\u{7F}", "é"]), count: 1 << (10 + script.int(8))) }
        switch name.lowercased() {
        case "retry-after":
            return script.pick([
                "0", "1", "0.001", "5", "120", "-1", "1.5", "1e3", "1e20", "inf", "nan", "0x10", " 7 ", "99999999999999999999",
                "18446744073709551616", "1.", ".5", "1..2", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
                "Mon, 01 Jan 0001 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT",
                "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "tomorrow", "", "٣", "１",
            ])
        case "location":
            return script.pick([
                "/", "/x", "../../..", "?a=b", "#frag", "", " ", "//evil.example/steal", "https://evil.example/steal",
                "https://queue.fal.run/fal-ai/fuzz", "https://queue.fal.run@evil.example/", "https://queue.fal.run.evil.example/x",
                "http://queue.fal.run/fal-ai/fuzz", "https://QUEUE.FAL.RUN/fal-ai/fuzz", "https://fal.run/fal-ai/fuzz",
                "https://rest.fal.ai/storage/upload/initiate", "https://v3.fal.media/files/upload", "https://queue.fal.run/..%2f..%2fx",
                "https://queue.fal.run%2f@evil.example/", "https://[::1", "http://[::1]:0/", "file:///etc/passwd", "data:,x",
                "javascript:alert(1)", "https://queue.fal.run/a b", "https://queue.fal.run/\u{0}", "mailto:x@y", "ftp://fal.run/",
                Fal.proxy, "https://proxy.example.com/other",
            ])
        case "content-length":
            return script.pick(["0", "1", "-1", "99999999999999999999", "abc", "5, 6", ""])
        case "content-type":
            return script.pick(["application/json", "text/event-stream", "text/html", "application/json; charset=utf-16", "", ";;;"])
        case "etag":
            return script.pick(["\"abc\"", "W/\"abc\"", "", "\"", "x"])
        case "x-fal-request-id":
            return script.pick(["req-1", "", "../../x", "a\u{1}b"])
        default:
            return script.pick(["gzip", "chunked", "x", ""])
        }
    }

    /// A value where fal puts `plausible`: usually that, sometimes something else entirely.
    mutating func v(_ plausible: String) -> String {
        let selector = script.byte()
        if selector < 232 { return plausible }
        if selector < 240 { return JSONText.string(script.text()) }
        return script.pick(JSONText.hostile)
    }

    mutating func s(_ plausible: String) -> String { v(JSONText.string(plausible)) }

    mutating func requestID() -> String {
        script.pick(["0b7e2e1c-8a4c-4c1e-9f3e-2f1b3c4d5e6f", "req-1", "a/b", "../x", "a b", "%2e%2e", "é", String(repeating: "r", count: 300)])
    }

    mutating func queueURL(_ id: String, _ suffix: String) -> String {
        script.pick([
            "\(Fal.hosts.queue)/fal-ai/fuzz/requests/\(id)\(suffix)", "\(Fal.hosts.queue)/fal-ai/other/requests/\(id)\(suffix)",
            "https://evil.example/fal-ai/fuzz/requests/\(id)\(suffix)", "\(Fal.hosts.queue)/fal-ai/fuzz/requests/\(id)\(suffix)?x=1",
            "\(Fal.hosts.queue)/../evil\(suffix)", "\(Fal.hosts.queue).evil.example/r\(suffix)", "\(Fal.hosts.queue)/a\\b\(suffix)",
            "\(Fal.hosts.queue)/", "\(Fal.hosts.queue)/fal-ai/fuzz/requests/\(id)\(suffix)#f",
        ])
    }

    mutating func log() -> String {
        JSONText.object([("message", s("step 1")), ("level", s("INFO")), ("source", s("USER")), ("timestamp", s("2025-01-01T00:00:00Z"))])
    }

    mutating func statusJSON() -> String {
        var members = [("status", s(script.pick(["IN_QUEUE", "IN_PROGRESS", "COMPLETED", "COMPLETED", "COMPLETED", "CANCELLATION_REQUESTED", "in_queue"])))]
        if script.bool() { members.append(("queue_position", v(script.pick(["0", "3", "-1", "1e3"])))) }
        if script.bool() { members.append(("logs", v("[" + (0..<script.int(3)).map { _ in log() }.joined(separator: ",") + "]"))) }
        if script.oneIn(3) { members.append(("metrics", v("{\"inference_time\":1.5}"))) }
        if script.oneIn(3) { members.append(("error", s("runner failed"))) }
        if script.oneIn(4) { members.append(("error_type", s(script.pick(["runner_error", "request_cancelled", "timeout"])))) }
        if script.oneIn(4) { members.append(("response_url", s(queueURL("req-1", "")))) }
        return JSONText.object(members)
    }

    mutating func fileJSON() -> String {
        JSONText.object([
            ("url", s(script.pick(["https://v3.fal.media/files/x.png", "data:image/png;base64,iVBORw0KGgo=", ""]))),
            ("content_type", s("image/png")), ("file_name", s("x.png")), ("file_size", v("1234")), ("width", v("512")), ("height", v("512")),
        ])
    }

    mutating func outputJSON() -> String {
        var members = [("images", v("[" + (0..<script.int(3)).map { _ in fileJSON() }.joined(separator: ",") + "]"))]
        if script.bool() { members.append(("seed", v("42"))) }
        if script.bool() { members.append(("has_nsfw_concepts", v("[false]"))) }
        if script.oneIn(3) { members.append(("audio", v(fileJSON()))) }
        if script.oneIn(3) { members.append(("timings", v("{\"inference\":0.5}"))) }
        if script.oneIn(4) { members.append(("prompt", s("a cat"))) }
        return JSONText.object(members)
    }

    mutating func errorBody() -> String {
        switch script.int(8) {
        case 0: return JSONText.object([("detail", s("bad request"))])
        case 1:
            let issue = JSONText.object([("loc", v("[\"body\",\"prompt\",0]")), ("msg", s("field required")), ("type", s("missing"))])
            return JSONText.object([("detail", v("[\(issue)]"))])
        case 2: return JSONText.object([("detail", v("{\"x\":1}")), ("error_type", s(script.pick(["request_cancelled", "runner_error"])))])
        case 3: return "<html><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>"
        case 4: return JSONText.object([("error", s("boom")), ("error_type", s("request_cancelled"))])
        case 5: return ""
        case 6: return JSONText.object([("detail", v("[]"))])
        default: return script.text(max: 255)
        }
    }

    /// What fal answers on this route when all goes well, every value open to mutation.
    mutating func plausible() -> (Int, [(name: String, value: String)], String) {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if script.bool() { headers.append(("x-fal-request-id", "req-1")) }
        switch route {
        case .submit:
            let id = requestID()
            var members = [("request_id", s(id))]
            if script.bool() { members.append(("status_url", s(queueURL(id, "/status")))) }
            if script.bool() { members.append(("response_url", s(queueURL(id, "")))) }
            if script.bool() { members.append(("cancel_url", s(queueURL(id, "/cancel")))) }
            if script.bool() { members.append(("queue_position", v("0"))) }
            return (script.pick([200, 200, 202, 201]), headers, JSONText.object(members))
        case .status: return (200, headers, statusJSON())
        case .result, .run: return (200, headers, outputJSON())
        case .cancel: return (script.pick([202, 200, 400]), headers, JSONText.object([("status", s("CANCELLATION_REQUESTED"))]))
        case .statusStream, .runStream:
            headers[0].value = "text/event-stream"
            var text = ""
            for _ in 0..<script.int(7) {
                switch script.int(9) {
                case 0, 1, 2: text += "data: \(route == .statusStream ? statusJSON() : outputJSON())\n\n"
                case 3: text += "event: error\ndata: \(errorBody())\n\n"
                case 4: text += ": keep-alive\n\n"
                case 5: text += "data: {\"status\":\ndata: \"IN_PROGRESS\"}\n\n"
                case 6: text += "event: \(script.text(max: 16))\ndata: \(statusJSON())\r\n\r\n"
                case 7: text += "data:\(outputJSON())\r\r"
                default: text += script.text(max: 128)
                }
            }
            if script.oneIn(4) { text += "data: \(statusJSON())" }  // no blank line before the end
            return (200, headers, text)
        case .token:
            let base = s(script.pick([Fal.hosts.cdn, Fal.hosts.cdn + "/", "https://evil.example", "", "not a url", "https://v3.fal.media/?q=1", Fal.hosts.queue]))
            var members = [("token", s("cdn-token")), ("token_type", s(script.pick(["Bearer", "", "Bearer\r\nX-Evil: 1"]))), ("base_url", base)]
            if script.bool() {
                members.append(("expires_at", s(script.pick([
                    "2099-01-01T00:00:00Z", "2000-01-01T00:00:00Z", "2099-01-01T00:00:00.123456+00:00", "2099-01-01T00:00:00.+00:00",
                    "2099-01-01T00:00:00.1234567890123Z", "x.-", ".Z", "2099-13-45T99:99:99Z", "",
                ]))))
            }
            return (200, headers, JSONText.object(members))
        case .cdnUpload: return (200, headers, JSONText.object([("access_url", s("https://v3.fal.media/files/up.bin"))]))
        case .multipartCreate:
            return (200, headers, JSONText.object([
                ("access_url", s(script.pick(["https://v3.fal.media/files/big.bin", "https://evil.example/x", ""]))),
                ("uploadId", s(script.pick(["upload-1", "a/b?c", "", "é"]))),
            ]))
        case .multipartPart:
            if !script.oneIn(6) { headers.append(("ETag", value(for: "ETag"))) }
            return (200, headers, "")
        case .multipartComplete: return (200, headers, "{}")
        case .initiate:
            return (200, headers, JSONText.object([
                ("upload_url", s(script.pick(["https://storage.example/signed?sig=1", Fal.hosts.rest + "/x", Fal.hosts.queue + "/steal", "", "::"]))),
                ("file_url", s("https://storage.example/file.bin")),
            ]))
        case .signedPut: return (200, [], "")
        case .jwks:
            var keys: [String] = []
            for _ in 0..<(1 + script.int(3)) {
                keys.append(JSONText.object([
                    ("kty", s("OKP")), ("crv", s("Ed25519")), ("x", s(script.pick([Fal.publicKeyX, Fal.publicKeyX, "AAAA", "", "!!", "a"]))),
                ]))
            }
            return (200, headers, JSONText.object([("keys", v("[" + keys.joined(separator: ",") + "]"))]))
        case .other: return (200, headers, "{}")
        }
    }
}
