import FalCore
@testable import FalEmulator
import Foundation
import Testing

/// Issue 11's emulator defects, one test each: every one failed (or crashed the test process) before the fix.
@Suite struct HardeningTests {
    static let illusionRun = "/run/fal-ai/illusion-diffusion"

    /// The reproduced crash: `Int(1e300)` in the fabricator killed the whole emulator.
    @Test(arguments: [1e300, -1e300, 1e19, 16.9, 0.5])
    func anyNumImagesIsAnsweredWithoutATrap(_ count: Double) async throws {
        try await EmulatorFixture.with { _, base in
            let input: JSONValue = ["prompt": "p", "image_url": "https://x/y.png", "num_images": .double(count)]
            let answer = try await TestHTTP.json("POST", base + Self.illusionRun, input)
            #expect(answer.status == 200, "\(answer.text)")
            let alive = try await TestHTTP.json("POST", base + Self.illusionRun, EmulatorFixture.illusionInput)
            #expect(alive.status == 200)
        }
    }

    @Test func fabricatorCountsAreCheckedConversions() {
        #expect(Int(clamping: 1e300, to: 1...16) == 16)
        #expect(Int(clamping: -1e300, to: 1...16) == 1)
        #expect(Int(clamping: .nan, to: 1...16) == 1)
        #expect(Int(clamping: .infinity, to: 0...Int.max) == Int.max)
        #expect(Int(clamping: Double(Int.max), to: Int.min...Int.max) == Int.max)
        #expect(Int(clamping: -Double(Int.max), to: Int.min...Int.max) == Int.min)
        #expect(Int(clamping: 7.9, to: 0...10) == 7)
        #expect(Duration.seconds(clamping: 1e300, maximum: 600) == .seconds(600))
        #expect(Duration.seconds(clamping: .nan, maximum: 600) == .zero)
    }

    /// Found by schemathesis: a POST without a body was queued; fal answers 422 (FastAPI's "missing body").
    @Test(arguments: ["/queue/fal-ai/fast-sdxl/image-to-image", "/run/fal-ai/fast-sdxl/image-to-image", "/rest/storage/upload/initiate"])
    func missingOrEmptyBodyIs422(_ path: String) async throws {
        try await EmulatorFixture.with { _, base in
            for body in [nil, Data(), Data("  \n".utf8)] {
                let answer = try await TestHTTP.send("POST", base + path, body: body)
                #expect(answer.status == 422, "\(path) \(String(describing: body)): \(answer.status) \(answer.text)")
                let detail = try #require(answer.json?["detail"]?.arrayValue?.first)
                #expect(detail["loc"] == ["body"])
                #expect(detail["type"] == "missing")
            }
        }
    }

    /// fal's documents list queue URLs with the endpoint's subpath; a request id that names nothing is 404, not 405.
    @Test func malformedRequestIDsAre404() async throws {
        try await EmulatorFixture.with { _, base in
            let app = "\(base)/queue/fal-ai/fast-sdxl/image-to-image/requests/0"
            for (method, url) in [("GET", app + "/status"), ("PUT", app + "/cancel"), ("GET", app), ("GET", app + "/status/stream"), ("GET", app + "/other")] {
                let answer = try await TestHTTP.send(method, url)
                #expect(answer.status == 404, "\(method) \(url): \(answer.status) \(answer.text)")
            }
            // The documented form (with the subpath) reaches a real request; another endpoint's subpath does not.
            let submitted = try await EmulatorFixture.submit(base, endpoint: "fal-ai/fast-sdxl/image-to-image", input: ["prompt": "p", "image_url": "https://x"])
            let id = try #require(submitted["request_id"]?.stringValue)
            let documented = try await TestHTTP.send("GET", "\(base)/queue/fal-ai/fast-sdxl/image-to-image/requests/\(id)/status")
            #expect(documented.status == 200)
            let wrongSubpath = try await TestHTTP.send("GET", "\(base)/queue/fal-ai/fast-sdxl/text-to-image/requests/\(id)/status")
            #expect(wrongSubpath.status == 404)
        }
    }

    /// `times: 1` used to count the path's earlier traffic, so it never fired on a path already used.
    @Test func failureTimesCountFromWhenTheControlWasSet() async throws {
        try await EmulatorFixture.with { emulator, base in
            for _ in 0..<3 {
                #expect(try await TestHTTP.json("POST", base + Self.illusionRun, EmulatorFixture.illusionInput).status == 200)
            }
            let put = try await TestHTTP.json("PUT", "\(base)/_emulator/controls", ["failure": ["mode": "503", "times": 1], "latency_ms": 0, "queue_depth": 0])
            #expect(put.status == 200)
            var statuses: [Int] = []
            for _ in 0..<2 { statuses.append(try await TestHTTP.json("POST", base + Self.illusionRun, EmulatorFixture.illusionInput).status) }
            #expect(statuses == [503, 200])
            // Set again in process: a new count starts.
            emulator.controls = EmulatorControls(latencyMilliseconds: 0, queueDepth: 0, failure: FailureInjection(mode: .rateLimited, times: 1))
            statuses = []
            for _ in 0..<2 { statuses.append(try await TestHTTP.json("POST", base + Self.illusionRun, EmulatorFixture.illusionInput).status) }
            #expect(statuses == [429, 200])
        }
    }

    /// Credentials are checked before any injected failure: a keyless client learns it has no key.
    @Test(arguments: ["429", "503", "reset", "stall"])
    func keylessRequestsGet401WhateverIsInjected(_ mode: String) async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.send(
                "POST", base + Self.illusionRun, headers: [ControlHeaders.failure: mode, ControlHeaders.stallSeconds: "5", "Content-Type": "application/json"],
                body: JSONCoding.data(EmulatorFixture.illusionInput), key: nil, timeout: 10)
            #expect(answer.status == 401, "\(answer.status) \(answer.text)")
        }
    }

    @Test func emulatorControlsNeedTheKey() async throws {
        try await EmulatorFixture.with(EmulatorFixture.configuration(apiKey: TestHTTP.key)) { emulator, base in
            let before = emulator.controls
            for (method, path) in [("GET", "requests"), ("GET", "webhooks"), ("GET", "controls"), ("POST", "reset"), ("GET", "openapi")] {
                #expect(try await TestHTTP.send(method, "\(base)/_emulator/\(path)", key: nil).status == 401, "\(method) \(path)")
                #expect(try await TestHTTP.send(method, "\(base)/_emulator/\(path)", key: "wrong").status == 401, "\(method) \(path)")
                #expect(try await TestHTTP.send(method, "\(base)/_emulator/\(path)").status == 200, "\(method) \(path)")
            }
            let put = try await TestHTTP.json("PUT", "\(base)/_emulator/controls", ["failure": ["mode": "503"]], key: nil)
            #expect(put.status == 401)
            #expect(emulator.controls == before)
        }
    }

    /// Out-of-range controls are bounded instead of overflowing later (`queue_depth * queue_step_ms`).
    @Test func hostileControlsAreBounded() async throws {
        try await EmulatorFixture.with { _, base in
            let put = try await TestHTTP.json("PUT", "\(base)/_emulator/controls", [
                "latency_ms": .int(Int.max), "queue_depth": .int(Int.max), "queue_step_ms": .int(Int.max), "log_lines": .int(Int.max),
                "failure": ["mode": "stall", "stall_seconds": 1e300, "times": 0],
            ])
            #expect(put.status == 200)
            #expect(put.json?["queue_depth"] == 10_000 && put.json?["latency_ms"] == 600_000 && put.json?["log_lines"] == 1_000)
            #expect(put.json?["failure"]?["stall_seconds"] == .int(FailureInjection.maxStallSeconds))
            let submitted = try await EmulatorFixture.submit(base, headers: [ControlHeaders.latency: "0", ControlHeaders.queueDepth: "1", ControlHeaders.queueStep: "0"])
            #expect(submitted["status"] == "IN_QUEUE")
        }
    }

    /// A waiting delivery used to hold its whole job (input included) after the store evicted it.
    @Test func evictedJobsAreNotKeptAliveByPendingWebhooks() async throws {
        let receiver = WebhookReceiver(failures: 0)
        let hook = try await receiver.start()
        defer { Task { await receiver.stop() } }
        let configuration = EmulatorFixture.configuration(controls: EmulatorControls(latencyMilliseconds: 300, queueDepth: 0, queueStepMilliseconds: 0)) {
            $0.maxStoredRequests = 1
        }
        try await EmulatorFixture.with(configuration) { _, base in
            let encoded = hook.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let first = try await EmulatorFixture.submit(base, endpoint: "fal-ai/illusion-diffusion?fal_webhook=\(encoded)")
            _ = try await EmulatorFixture.submit(base)  // evicts the first
            try await receiver.waitFor(1)
            let payload = try JSONDecoder().decode(JSONValue.self, from: receiver.received[0].body)
            #expect(payload["request_id"] == first["request_id"])
            #expect(payload["status"] == "ERROR")
            #expect(payload["payload"]?["detail"]?.stringValue?.contains("evicted") == true)
        }
    }

    /// The cap on pending deliveries is in bytes: small ones fit, and beyond it deliveries are refused and logged.
    @Test func pendingWebhookDeliveriesAreCappedInBytes() async throws {
        let configuration = EmulatorFixture.configuration(controls: EmulatorControls(latencyMilliseconds: 60_000, queueDepth: 0, queueStepMilliseconds: 0)) {
            $0.maxPendingWebhookBytes = 4 * WebhookDispatcher.waitingCost
        }
        try await EmulatorFixture.with(configuration) { _, base in
            for _ in 0..<6 {
                _ = try await EmulatorFixture.submit(base, endpoint: "fal-ai/illusion-diffusion?fal_webhook=http%3A%2F%2F127.0.0.1%3A9%2Fhook")
            }
            let log = try await TestHTTP.send("GET", "\(base)/_emulator/webhooks")
            let refused = log.json?["attempts"]?.arrayValue?.filter { $0["error"]?.stringValue?.contains("exceed") == true } ?? []
            #expect(refused.count == 3, "\(log.text)")
        }
    }

    @Test func openAPIDocumentsCanBeReplacedAndRestored() async throws {
        try await EmulatorFixture.with { _, base in
            let url = "\(base)/api/openapi/queue/openapi.json?endpoint_id=fal-ai/illusion-diffusion"
            let original = try await TestHTTP.send("GET", url, key: nil)
            #expect(original.status == 200)
            let replacement = Data(#"{"openapi": "3.0.4", "info": {"title": "v2", "version": "2"}, "paths": {}, "zeta": 1, "alpha": 2}"#.utf8)
            let control = "\(base)/_emulator/openapi?endpoint_id=fal-ai/illusion-diffusion"
            #expect(try await TestHTTP.send("PUT", control, body: replacement, key: nil).status == 401)
            let put = try await TestHTTP.send("PUT", control, body: replacement)
            #expect(put.status == 200, "\(put.text)")
            #expect(try await TestHTTP.send("GET", url, key: nil).body == replacement)  // byte for byte: key order kept
            // A new endpoint id can be served too; a body that is not a document is refused.
            #expect(try await TestHTTP.send("PUT", "\(base)/_emulator/openapi?endpoint_id=owner/new-app", body: replacement).status == 200)
            #expect(try await TestHTTP.send("GET", "\(base)/api/openapi/queue/openapi.json?endpoint_id=owner/new-app", key: nil).body == replacement)
            #expect(try await TestHTTP.send("PUT", control, body: Data("[1]".utf8)).status == 422)
            #expect(try await TestHTTP.send("PUT", control, body: Data(#"{"a": 1}"#.utf8)).status == 422)
            let listed = try await TestHTTP.send("GET", "\(base)/_emulator/openapi")
            #expect(listed.json?["endpoint_ids"] == ["fal-ai/illusion-diffusion", "owner/new-app"])
            #expect(try await TestHTTP.send("DELETE", control).json?["removed"] == true)
            #expect(try await TestHTTP.send("GET", url, key: nil).body == original.body)
        }
    }

    /// Non-image outputs used to be PNGs labelled image/png. Each kind is now a real file of its type.
    @Test func fileOutputsCarryTheirFieldsContentTypeAndMatchingBytes() async throws {
        let fixtures = EmulatorFixture.repositoryRoot.appendingPathComponent("Tests/Fixtures/openapi")
        let cases: [(String, String, String, [UInt8], Int)] = [
            ("xai/grok-imagine-video/image-to-video", "video", "video/mp4", Array("ftyp".utf8), 4),
            ("fal-ai/minimax-music/v2.6", "audio", "audio/", [], 0),
        ]
        try await EmulatorFixture.with(EmulatorFixture.configuration(schemas: fixtures)) { _, base in
            for (endpoint, field, contentType, magic, offset) in cases {
                let document = try await TestHTTP.send("GET", "\(base)/api/openapi/queue/openapi.json?endpoint_id=\(endpoint)", key: nil)
                let example = try #require(Self.firstExampleInput(document.body), "\(endpoint)")
                let answer = try await TestHTTP.json("POST", "\(base)/run/\(endpoint)", example)
                let file = try #require(answer.json?[field], "\(endpoint): \(answer.text)")
                let declared = try #require(file["content_type"]?.stringValue)
                #expect(declared.hasPrefix(contentType), "\(endpoint): \(declared)")
                let download = try await TestHTTP.send("GET", file["url"]!.stringValue!, key: nil)
                #expect(download.status == 200)
                #expect(download.header("content-type") == declared)
                if !magic.isEmpty { #expect(Array(download.body.dropFirst(offset).prefix(magic.count)) == magic) }
                if declared == "audio/wav" { #expect(Array(download.body.prefix(4)) == Array("RIFF".utf8)) }
                if declared == "audio/mpeg" { #expect(Array(download.body.prefix(2)) == [0xFF, 0xFB]) }
                if let size = file["file_size"] { #expect(size == .int(download.body.count)) }
            }
        }
    }

    @Test func everyFileKindHasMatchingMagicBytes() {
        let magic: [GeneratedFile.Kind: (Int, [UInt8])] = [
            .mp4: (4, Array("ftypisom".utf8)), .wav: (8, Array("WAVE".utf8)), .mp3: (0, [0xFF, 0xFB]), .glb: (0, Array("glTF".utf8)),
            .zip: (0, [0x50, 0x4B, 0x03, 0x04]), .usdz: (0, [0x50, 0x4B, 0x03, 0x04]), .fbx: (0, Array("Kaydara FBX Binary".utf8)),
            .obj: (0, Array("# ".utf8)), .stl: (0, Array("solid".utf8)), .json: (0, Array("{".utf8)), .txt: (0, Array("Emulated".utf8)),
        ]
        for kind in GeneratedFile.Kind.allCases {
            let file = GeneratedFile(kind: kind, seed: 7, index: 1)
            #expect(GeneratedFile(fileName: file.fileName) == file)
            let bytes = Array(file.bytes)
            if let (offset, expected) = magic[kind] { #expect(Array(bytes.dropFirst(offset).prefix(expected.count)) == expected, "\(kind)") }
        }
        // glb's declared length and the zip's end record agree with the bytes.
        let glb = Array(GeneratedFile(kind: .glb, seed: 1, index: 0).bytes)
        #expect(Int(glb[8]) | Int(glb[9]) << 8 | Int(glb[10]) << 16 == glb.count)
        let zip = Array(GeneratedFile(kind: .zip, seed: 1, index: 0).bytes)
        #expect(Array(zip.suffix(22).prefix(4)) == [0x50, 0x4B, 0x05, 0x06])
        // safetensors: 8-byte little-endian header length, then that much JSON.
        let tensors = Array(GeneratedFile(kind: .safetensors, seed: 1, index: 0).bytes)
        #expect(Int(tensors[0]) + 8 == tensors.count)
        #expect(GeneratedFile.kind(field: "video", component: "File", exampleURL: nil, hasDimensions: false) == .mp4)
        #expect(GeneratedFile.kind(field: "audio", component: "File", exampleURL: "https://x/a.mp3", hasDimensions: false) == .mp3)
        #expect(GeneratedFile.kind(field: "model_mesh", component: "File", exampleURL: nil, hasDimensions: false) == .glb)
        #expect(GeneratedFile.kind(field: "frames_zip", component: "File", exampleURL: nil, hasDimensions: false) == .zip)
        #expect(GeneratedFile.kind(field: "image", component: "Image", exampleURL: nil, hasDimensions: true) == nil)
        #expect(GeneratedFile.kind(field: "thumbnail", component: "File", exampleURL: nil, hasDimensions: false) == nil)
    }

    static func firstExampleInput(_ document: Data) -> JSONValue? {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: document),
              let schemas = json["components"]?["schemas"]?.objectValue,
              let input = schemas.first(where: { $0.key.hasSuffix("Input") })?.value
        else { return nil }
        var example: [String: JSONValue] = [:]
        for (name, property) in input["properties"]?.objectValue ?? [:] {
            if let value = property["examples"]?.arrayValue?.first ?? property["default"] { example[name] = value }
        }
        return .object(example)
    }
}
