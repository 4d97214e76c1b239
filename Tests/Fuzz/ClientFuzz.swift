// libFuzzer target: the whole `FalClient` over a scripted `Transport` (Tests/Fuzz/ClientFuzzSupport.swift) that
// answers every request from the fuzzer's bytes: any status (1xx, redirects with odd `Location`s, 429/503 with
// any `Retry-After`, errors), odd and repeated headers, JSON-ish and garbage bodies cut anywhere, streamed bodies
// in chunks that end early, stall or fail, and transfer failures of every kind. Every public call of the client
// runs: submit, status, statusUpdates (stream and polling), result, cancel, subscribe, run, stream, storage
// uploads (bytes, a file, multipart with a tiny threshold) and webhook verification.
//
// The rule per input: no trap, no hang (a watchdog fails any input running past 2 s, naming the request it was
// at), no request left in flight once a call returned, the key only ever sent to fal's hosts, and no submit or
// run sent again after an answer that leaves open whether fal started it. Built by scripts/fuzz.sh against
// FalRuntime compiled with coverage and AddressSanitizer.
import FalRuntime
import Foundation
import Logging
import Synchronization

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClient(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: bytes, count: count))
    let done = DispatchSemaphore(value: 0)
    let probe = ReleaseProbe()
    Watchdog.shared.begin()
    Task.detached {
        let driver = Driver(input)
        probe.watch(driver)
        await driver.run()
        done.signal()
    }
    done.wait()
    // Nothing of the client outlives the calls: a retain cycle here is memory an app loses per client.
    Watchdog.shared.note("waiting for the client to be released")
    let finished = ContinuousClock.now
    while let alive = probe.alive {
        if finished.duration(to: .now) > .seconds(1) { fatalError("ClientFuzz: the \(alive) is still alive 1 s after its last call returned") }
        usleep(1000)
    }
    Watchdog.shared.end()
    return 0
}

/// Weak references to an input's client and transport, to check that both are released once it ends.
final class ReleaseProbe: @unchecked Sendable {
    private let lock = NSLock()
    private weak var client: FalClient?
    private weak var transport: ScriptedTransport?

    func watch(_ driver: Driver) {
        lock.withLock {
            client = driver.client
            transport = driver.transport
        }
    }

    var alive: String? {
        lock.withLock { client != nil ? "client" : transport != nil ? "transport" : nil }
    }
}

// MARK: The endpoint the typed calls use

struct FuzzInput: FalInput {
    var prompt: String
    var image: FalFile?
    var extra: [FalFile]
    var steps: Int?

    enum CodingKeys: String, CodingKey {
        case prompt, image = "image_url", extra = "extra_image_urls", steps = "num_inference_steps"
    }

    func validate(at path: FieldPath, into issues: inout [ValidationIssue]) {
        if prompt == "invalid" { issues.append(ValidationIssue(path: path.key("prompt"), message: "is invalid")) }
    }
}

struct FuzzOutput: FalOutput {
    var images: [FalImage]?
    var seed: Int?
    var hasNSFWConcepts: [Bool]?
    var audio: FalAudio?
    var prompt: String?

    enum CodingKeys: String, CodingKey {
        case images, seed, hasNSFWConcepts = "has_nsfw_concepts", audio, prompt
    }
}

enum FuzzEndpoint: FalEndpoint {
    typealias Input = FuzzInput
    typealias Output = FuzzOutput
    static let id = "fal-ai/fuzz"
}

/// Files the uploads read: a few bytes, and an empty file.
enum TemporaryFiles {
    static let directory: String = {
        let path = NSTemporaryDirectory() + "clientfuzz-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path + "/small.png", contents: Data("abc".utf8))
        _ = FileManager.default.createFile(atPath: path + "/empty.bin", contents: Data())
        return path
    }()
    static var small: String { directory + "/small.png" }
    static var empty: String { directory + "/empty.bin" }
}

/// Builds every message and metadata value, so the logging paths run too.
struct EvaluatingLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        _ = "\(event.message)"
        _ = event.metadata.map { "\($0)" }
    }
}

/// An error surfaced by a call; the calls are documented to throw `FalError`.
enum Outcome {
    static func check(_ error: any Error, _ what: String) {
        if error is FalError || error is CancellationError { return }
        fatalError("ClientFuzz: \(what) threw \(type(of: error)) (\(error)), not FalError")
    }
}

// MARK: The driver

struct Driver {
    let transport: ScriptedTransport
    let client: FalClient

    init(_ bytes: [UInt8]) {
        var script = FuzzScript(bytes)
        let proxyMode = script.oneIn(5)
        let noCredentials = script.oneIn(24)
        let retry = RetryPolicy(
            maxAttempts: 1 + script.int(4), baseDelay: script.pick([.milliseconds(1), .zero, .microseconds(100)]),
            maxDelay: script.pick([.milliseconds(5), .zero, .milliseconds(-1)]),
            // Odd but constructible ranges too: the policy promises that no value of it traps.
            jitter: script.pick([0.5...1.5, 0...0, 1...1, 0...2, -1...0, 0...Double.infinity, -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude]),
            retryStatusCodes: script.oneIn(4) ? [408, 409, 429, 500, 503] : [408, 409, 429],
            resendsAmbiguousRequests: script.oneIn(6))
        var logger: Logger?
        if script.oneIn(4) {
            logger = Logger(label: "fuzz") { _ in EvaluatingLogHandler() }
            logger?.logLevel = .trace
        }
        let configuration = FalConfiguration(
            credentials: proxyMode || noCredentials ? nil : FalCredentials(key: Fal.key),
            proxyURL: proxyMode ? Fal.proxy : nil, hosts: Fal.hosts, retry: retry,
            requestTimeout: .milliseconds(200), connectTimeout: .milliseconds(50),
            idleTimeout: script.pick([.milliseconds(20), nil]),
            responseBodyLimit: script.pick([HTTPRequest.defaultResponseBodyLimit, 1024, 4096]),
            pollInterval: script.pick([.milliseconds(1), .zero, .microseconds(200), .milliseconds(-1)]),
            statusUpdates: script.bool() ? .streamWithPollingFallback : .polling,
            multipartThreshold: script.pick([100 * 1024 * 1024, 0, 1, 3, 8]),
            multipartConcurrency: script.pick([10, 1, 0]), logger: logger)
        transport = ScriptedTransport(script: script, proxyMode: proxyMode, checksDoubleBilling: !retry.resendsAmbiguousRequests)
        client = FalClient(configuration: configuration, transport: transport)
    }

    func run() async {
        var operations = 0
        while !transport.exhausted, operations < 6 {
            operations += 1
            let operation = transport.read { $0.int(16) }
            let cancelAfter: Duration? = transport.read { $0.oneIn(6) ? .microseconds($0.int(4000)) : nil }
            transport.beginOperation()
            Watchdog.shared.note("operation \(operations): #\(operation)\(cancelAfter.map { ", cancelled after \($0)" } ?? "")")
            if ScriptedTransport.trace { FileHandle.standardError.write(Data("ClientFuzz: operation #\(operation)\(cancelAfter.map { ", cancelled after \($0)" } ?? "")\n".utf8)) }
            if let cancelAfter {
                let task = Task { await perform(operation) }
                try? await Task.sleep(for: cancelAfter)
                task.cancel()
                await task.value
            } else {
                await perform(operation)
            }
            // Every call ends its requests before it returns (a dropped stream aborts its transfer promptly).
            let returned = ContinuousClock.now
            while transport.inFlight > 0 {
                if returned.duration(to: .now) > .seconds(1) {
                    fatalError("ClientFuzz: operation #\(operation) returned with \(transport.inFlight) request(s) still in flight after 1 s")
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    // MARK: Inputs the driver picks

    func endpointID() -> String {
        transport.read { script in
            script.pick([
                "fal-ai/fuzz", "fal-ai/fuzz", "fal-ai/fuzz/sub/path", "workflows/fal-ai/fuzz", "comfy/x/y", "1234-app", "fal-ai/fuzz/",
                "fal-ai", "", "/x/y", "a//b", "é/é", "fal-ai/fu zz", "fal-ai/fuzz?x=1", "fal-ai/fuzz#f", "fal-ai/../x", "12-", "-x",
            ])
        }
    }

    func requestID() -> String {
        transport.read { script in
            script.pick(["req-1", "0b7e2e1c-8a4c-4c1e-9f3e-2f1b3c4d5e6f", "", "a/b", "../..", "é", "a b", "\r\n", "%", String(repeating: "x", count: 5000)])
        }
    }

    func file() -> FalFile {
        transport.read { script in
            switch script.int(4) {
            case 0: return .url(script.pick(["https://example.com/x.png", "data:,", ""]))
            case 1:
                return .data(
                    Data(script.raw(max: 16)), contentType: script.pick(["image/png", "a\r\nb", "", "x\u{0}"]),
                    fileName: script.pick([nil, "x.png", "a\nb", "", "../../etc/passwd", "\u{7F}", String(repeating: "n", count: 2000)]))
            case 2:
                return .localFile(
                    path: script.pick([TemporaryFiles.small, TemporaryFiles.empty, TemporaryFiles.directory, "/nonexistent/x", ""]),
                    contentType: script.pick([nil, "image/png", "a\rb"]))
            default: return .localFile(path: TemporaryFiles.small)
            }
        }
    }

    func input() -> FuzzInput {
        let (prompt, fileCount, steps) = transport.read { script in
            (script.pick(["a cat", "invalid", "", "\u{0}", String(repeating: "é", count: 3000)]), script.pick([0, 0, 1, 1, 2]),
             script.pick([nil, 1, -1, Int.max] as [Int?]))
        }
        let image: FalFile? = fileCount > 0 ? file() : nil
        let extra = fileCount > 1 ? [file()] : []
        return FuzzInput(prompt: prompt, image: image, extra: extra, steps: steps)
    }

    func options() -> RequestOptions {
        transport.read { script in
            guard script.oneIn(3) else { return RequestOptions() }
            return RequestOptions(
                priority: script.pick([nil, .low, .normal]),
                startTimeout: script.pick([nil, .seconds(2), .milliseconds(500), .seconds(Int64.max), .seconds(-3)]),
                runnerHint: script.pick([nil, "hint", "a\r\nX-Evil: 1"]),
                objectExpiration: script.pick([nil, .seconds(60), .seconds(-5), .seconds(Int64.max)]),
                headers: script.pick([[:], ["X-Custom": "v"], ["Bad Name": "v"], ["X-A": "a\nb"], ["": ""], ["Authorization": "Key stolen"]]))
        }
    }

    func webhookURL() -> String? {
        transport.read { script in script.pick([nil, "https://example.com/hook?token=abc&x=é", "", "a b\r\n"]) }
    }

    func timeout() -> Duration? {
        transport.read { script in
            script.pick([nil, nil, .milliseconds(1), .milliseconds(20), .zero, .milliseconds(-1), .milliseconds(1001), .seconds(Int64.max), .seconds(Int64.min)])
        }
    }

    func limit() -> Int { transport.read { script in script.pick([1, 3, 1000]) } }

    // MARK: Operations

    func perform(_ operation: Int) async {
        let typed = transport.read { $0.bool() }
        let endpoint = client.endpoint(FuzzEndpoint.self)
        do {
            switch operation {
            case 0:
                let input = input(), options = options(), hook = webhookURL()
                if typed { _ = try await endpoint.submit(input, webhookURL: hook, options: options) }
                else { _ = try await client.submit(endpointID(), input: input, webhookURL: hook, options: options) }
            case 1:
                let id = requestID(), logs = transport.read { $0.bool() }
                if typed { _ = try await endpoint.status(requestID: id, logs: logs) }
                else { _ = try await client.status(endpointID(), requestID: id, logs: logs) }
            case 2, 3:
                let id = requestID(), logs = transport.read { $0.bool() }, limit = limit()
                let updates = typed ? endpoint.statusUpdates(requestID: id, logs: logs) : client.statusUpdates(endpointID(), requestID: id, logs: logs)
                var seen = 0
                var completed = false
                do {
                    for try await status in updates {
                        // The sequence finishes after `.completed`.
                        if completed { fatalError("ClientFuzz: statusUpdates went on after .completed with \(status)") }
                        completed = status.isCompleted
                        seen += 1
                        if seen >= limit { break }
                    }
                } catch {
                    Outcome.check(error, "statusUpdates")
                }
            case 4:
                let id = requestID()
                if typed { _ = try await endpoint.result(requestID: id) }
                else if transport.read({ $0.bool() }) { _ = try await client.result(endpointID(), requestID: id, as: JSONValue.self) }
                else { _ = try await client.result(endpointID(), requestID: id, as: FuzzOutput.self) }
            case 5:
                let id = requestID()
                if typed { try await endpoint.cancel(requestID: id) } else { try await client.cancel(endpointID(), requestID: id) }
            case 6, 7:
                let input = input(), options = options(), timeout = timeout(), logs = transport.read { $0.bool() }
                if typed {
                    _ = try await endpoint.subscribe(input, logs: logs, timeout: timeout, options: options, onQueueUpdate: { _ in }, onEnqueue: { _ in })
                } else {
                    _ = try await client.subscribe(endpointID(), input: input, as: JSONValue.self, logs: logs, timeout: timeout, options: options)
                }
            case 8:
                let input = input(), options = options(), timeout = timeout()
                if typed { _ = try await endpoint.run(input, timeout: timeout, options: options) }
                else { _ = try await client.run(endpointID(), input: input, as: JSONValue.self, timeout: timeout, options: options) }
            case 9:
                let input = input(), options = options(), limit = limit()
                if typed {
                    if transport.read({ $0.bool() }) {
                        await consume(try await endpoint.stream(input, options: options), limit: limit)
                    } else {
                        await consume(try await endpoint.stream(input, as: JSONValue.self, options: options), limit: limit)
                    }
                } else {
                    await consume(try await client.stream(endpointID(), input: input, as: JSONValue.self, options: options), limit: limit)
                }
            case 10:
                let (bytes, type, name) = transport.read { script in
                    (Data(script.raw(max: 32)), script.pick(["application/octet-stream", "image/png", "a\r\nb"]), script.pick([nil, "x.bin", "a\nb", ""]))
                }
                _ = try await client.storage.upload(bytes, contentType: type, fileName: name)
            case 11:
                let path = transport.read { $0.pick([TemporaryFiles.small, TemporaryFiles.empty, TemporaryFiles.directory, "/nonexistent"]) }
                _ = try await client.storage.upload(fileAt: path, contentType: transport.read { $0.pick([nil, "image/png"]) })
            case 12:
                _ = try await client.storage.upload(file())
            case 13, 14:
                try await verifyWebhook()
            default:
                let body = transport.read { script in
                    var writer = AnswerWriter(script: script, route: .other, streaming: false)
                    let body = writer.webhookBody()
                    script = writer.script
                    return body
                }
                if let delivery = try? WebhookDelivery<FuzzOutput>(body: Data(body.utf8)) { _ = try? delivery.output() }
            }
        } catch {
            Outcome.check(error, "operation #\(operation)")
        }
    }

    /// Reads up to `limit` events of a run stream, or none at all (dropped unread: the transfer must still end).
    func consume<Event>(_ events: AsyncThrowingStream<Event, any Error>, limit: Int) async {
        if transport.read({ $0.oneIn(4) }) { return }
        var seen = 0
        do {
            for try await _ in events {
                seen += 1
                if seen >= limit { break }
            }
        } catch {
            Outcome.check(error, "stream")
        }
    }

    /// A delivery with headers and body from the script, signed with fal's key or not, verified against the key
    /// set the transport serves.
    func verifyWebhook() async throws(FalError) {
        let verifier: WebhookVerifier = transport.read { script in
            let tolerance = script.pick([Duration.seconds(300), .zero, .seconds(-5), .seconds(Int64.max)])
            let cache = script.pick([Duration.seconds(86_400), .zero, .seconds(-1)])
            if script.bool() { return client.webhookVerifier(tolerance: tolerance, cacheDuration: cache) }
            let url = script.pick(["https://evil.example/jwks.json", "", "not a url", WebhookVerifier.falJWKSURL])
            return WebhookVerifier(jwksURL: url, tolerance: tolerance, cacheDuration: cache, transport: transport)
        }
        let (headers, body, now) = transport.read { script -> ([String: String], Data, Date) in
            var writer = AnswerWriter(script: script, route: .other, streaming: false)
            let body = Data((script.oneIn(5) ? writer.script.text(max: 200) : writer.webhookBody()).utf8)
            script = writer.script
            let now = script.pick([Date(), Date(timeIntervalSince1970: .nan), Date(timeIntervalSince1970: .infinity), Date(timeIntervalSince1970: 1e300), Date(timeIntervalSince1970: 0)])
            let clock = now.timeIntervalSince1970.isFinite && abs(now.timeIntervalSince1970) < 1e15 ? Int(now.timeIntervalSince1970) : 0
            let requestID = script.pick(["req-1", "", "a\nb", "é"])
            let userID = script.pick(["user-1", "u\n1"])
            let timestamp = script.pick([
                "\(clock)", "\(clock - 1000)", "\(clock + 299)", "1e308", "nan", "inf", "-inf", "", " 1", "0x10", "\(Int.max)", "1e-400", script.text(max: 24),
            ])
            var signature: String
            switch script.int(4) {
            case 0, 1:
                let digest = sha256Hex(body)
                let message = Data("\(requestID)\n\(userID)\n\(timestamp)\n\(digest)".utf8)
                signature = ((try? Fal.signingKey.signature(for: message)) ?? Data()).map { String(format: "%02x", $0) }.joined()
                if script.oneIn(4) { signature = signature.uppercased() }
            case 2: signature = script.raw(max: 64).map { String(format: "%02x", $0) }.joined()
            default: signature = script.pick(["", "zz", "abc", String(repeating: "0", count: 128), String(repeating: "0", count: 129), script.text()])
            }
            var headers: [String: String] = [:]
            let names = [("X-Fal-Webhook-Request-Id", requestID), ("X-Fal-Webhook-User-Id", userID), ("X-Fal-Webhook-Timestamp", timestamp), ("X-Fal-Webhook-Signature", signature)]
            for (name, value) in names where !script.oneIn(16) {
                headers[script.oneIn(4) ? name.lowercased() : name] = value
            }
            if script.oneIn(8) { headers["x-fal-webhook-signature"] = script.text() }  // the same header twice, cased apart
            return (headers, body, now)
        }
        if transport.read({ $0.bool() }) {
            try await verifier.verify(headers: headers, body: body, now: now)
        } else {
            _ = try await verifier.verify(FuzzEndpoint.self, headers: headers, body: body, now: now).output()
        }
    }
}

import Crypto

func sha256Hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

extension AnswerWriter {
    /// fal's webhook body, every value open to mutation.
    mutating func webhookBody() -> String {
        var members = [("request_id", s("req-1"))]
        if script.bool() { members.append(("gateway_request_id", s("gw-1"))) }
        members.append(("status", s(script.pick(["OK", "ERROR", "ok"]))))
        if script.bool() { members.append(("payload", v(script.bool() ? outputJSON() : errorBody()))) }
        if script.oneIn(3) { members.append(("error", s("boom"))) }
        if script.oneIn(4) { members.append(("payload_error", s("payload too large"))) }
        return JSONText.object(members)
    }
}
