import FalCore
import FalEmulator
import Foundation
import Testing

@Suite struct QueueRouteTests {
    @Test func submitReturnsURLsPointingBackAtTheEmulator() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.json("POST", "\(base)/queue/fal-ai/illusion-diffusion", EmulatorFixture.illusionInput)
            #expect(answer.status == 200)
            let body = try #require(answer.json)
            let id = try #require(body["request_id"]?.stringValue)
            #expect(answer.header("x-fal-request-id") == id)
            #expect(body["status"] == "IN_QUEUE")
            #expect(body["response_url"]?.stringValue == "\(base)/queue/fal-ai/illusion-diffusion/requests/\(id)")
            #expect(body["status_url"]?.stringValue == "\(base)/queue/fal-ai/illusion-diffusion/requests/\(id)/status")
            #expect(body["cancel_url"]?.stringValue == "\(base)/queue/fal-ai/illusion-diffusion/requests/\(id)/cancel")
        }
    }

    @Test func requiresAKeyAndMatchesTheConfiguredOne() async throws {
        try await EmulatorFixture.with(EmulatorFixture.configuration(apiKey: "right")) { _, base in
            let url = "\(base)/queue/fal-ai/illusion-diffusion"
            let missing = try await TestHTTP.json("POST", url, EmulatorFixture.illusionInput, key: nil)
            #expect(missing.status == 401)
            let wrong = try await TestHTTP.json("POST", url, EmulatorFixture.illusionInput, key: "wrong")
            #expect(wrong.status == 401)
            #expect(!wrong.text.contains("wrong"))
            let bearer = try await TestHTTP.json("POST", url, EmulatorFixture.illusionInput, headers: ["Authorization": "Bearer right"], key: nil)
            #expect(bearer.status == 401)
            let right = try await TestHTTP.json("POST", url, EmulatorFixture.illusionInput, key: "right")
            #expect(right.status == 200)
        }
    }

    /// The exact timeline is unit-tested in `QueueJobTimelineTests`; over HTTP on a loaded machine only
    /// the order is certain: positions never go up, states never go back, logs arrive, it completes.
    @Test func statusProgressesInOrderAndCompletesWithLogs() async throws {
        let controls = EmulatorControls(latencyMilliseconds: 600, queueDepth: 3, queueStepMilliseconds: 200, logLines: 4)
        try await EmulatorFixture.with(EmulatorFixture.configuration(controls: controls)) { _, base in
            let submitted = try await EmulatorFixture.submit(base)
            #expect(submitted["queue_position"] == 2)
            let statuses = try await EmulatorFixture.pollUntilCompleted(submitted, logs: "1")
            let positions = statuses.compactMap { $0["queue_position"]?.number.map(Int.init) }
            #expect(positions == positions.sorted(by: >))
            let order = ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]
            let ranks = statuses.compactMap { $0["status"]?.stringValue.flatMap(order.firstIndex(of:)) }
            #expect(ranks.count == statuses.count && ranks == ranks.sorted())
            let final = try #require(statuses.last)
            #expect(final["logs"]?.arrayValue?.count == 4)
            #expect(final["logs"]?.arrayValue?.first?["message"]?.stringValue?.isEmpty == false)
            #expect(final["metrics"]?["inference_time"] != nil)
            #expect(final["error"] == nil)
        }
    }

    @Test(arguments: ["1", "true"])
    func logsFlagAcceptsFalClientSpellings(_ flag: String) async throws {
        try await EmulatorFixture.with { _, base in
            let submitted = try await EmulatorFixture.submit(base)
            let withLogs = try await EmulatorFixture.pollUntilCompleted(submitted, logs: flag).last
            #expect(withLogs?["logs"]?.arrayValue?.isEmpty == false)
            let without = try await EmulatorFixture.pollUntilCompleted(submitted).last
            #expect(without?["logs"] == .null)
        }
    }

    @Test func resultIsTheFabricatedOutput() async throws {
        try await EmulatorFixture.with { _, base in
            let submitted = try await EmulatorFixture.submit(base, input: ["prompt": "p", "image_url": "https://x/y.png", "seed": 7, "image_size": "landscape_16_9"])
            _ = try await EmulatorFixture.pollUntilCompleted(submitted)
            let result = try await TestHTTP.send("GET", submitted["response_url"]!.stringValue!)
            #expect(result.status == 200)
            let output = try #require(result.json)
            #expect(output["seed"] == 7)
            #expect(output["image"]?["width"] == 1024 && output["image"]?["height"] == 576)
            let imageURL = try #require(output["image"]?["url"]?.stringValue)
            #expect(imageURL.hasPrefix("\(base)/cdn/files/"))
            let image = try await TestHTTP.send("GET", imageURL, key: nil)
            #expect(image.status == 200 && image.header("content-type") == "image/png")
            let chunks = try PNGChunks(image.body)
            #expect(chunks.width == 1024 && chunks.height == 576)
            #expect(output["image"]?["file_size"] == .int(image.body.count))
        }
    }

    // The job runs for 10 minutes, so "before completion" holds however slow the machine (a sanitizer's
    // overhead made a 5 s latency pass before the result was asked for); stop() ends it.
    @Test func resultBeforeCompletionIsRefused() async throws {
        let slow = EmulatorControls(latencyMilliseconds: 600_000, queueDepth: 0, queueStepMilliseconds: 0, logLines: 1)
        try await EmulatorFixture.with(EmulatorFixture.configuration(controls: slow)) { _, base in
            let submitted = try await EmulatorFixture.submit(base)
            let early = try await TestHTTP.send("GET", submitted["response_url"]!.stringValue!)
            #expect(early.status == 400)
        }
    }

    @Test func statusStreamSendsEventsUntilCompleted() async throws {
        try await EmulatorFixture.with { emulator, base in
            // Completes on its own while the stream is open.
            let quick = try await EmulatorFixture.submit(base, headers: [ControlHeaders.latency: "400", ControlHeaders.queueDepth: "1", ControlHeaders.queueStep: "200"])
            let stream = try await TestHTTP.send("GET", quick["status_url"]!.stringValue! + "/stream?logs=1")
            #expect(stream.status == 200)
            #expect(stream.header("content-type")?.hasPrefix("text/event-stream") == true)
            let events = TestHTTP.events(stream.body)
            #expect(events.last?["status"] == "COMPLETED")
            #expect(events.filter { $0["status"] == "COMPLETED" }.count == 1)
            #expect(events.last?["logs"]?.arrayValue?.isEmpty == false)

            // Queued for a long time, then cancelled while the stream is open: the stream shows both. The
            // cancel waits until the emulator has answered the stream request (its log entry), not for a fixed
            // time that a loaded or sanitized run can overrun.
            let slow = try await EmulatorFixture.submit(base, headers: [ControlHeaders.queueDepth: "2", ControlHeaders.queueStep: "600000"])
            let streaming = Task { try await TestHTTP.send("GET", slow["status_url"]!.stringValue! + "/stream") }
            let slowID = try #require(slow["request_id"]?.stringValue)
            let streamOpened = { emulator.requestLog.entries.contains { $0.operation == .statusStream && $0.path.contains(slowID) } }
            for _ in 0..<600 where !streamOpened() { try await Task.sleep(for: .milliseconds(50)) }
            #expect(streamOpened(), "the status stream was not answered within 30 s")
            _ = try await TestHTTP.send("PUT", slow["cancel_url"]!.stringValue!)
            let cancelledEvents = TestHTTP.events(try await streaming.value.body)
            #expect(cancelledEvents.first?["status"] == "IN_QUEUE")
            #expect(cancelledEvents.last?["error_type"] == "request_cancelled")
        }
    }

    // Queued for 50 minutes, so the cancel finds it queued however slow the machine (50 × 100 ms was
    // overrun under a sanitizer).
    @Test func cancelQueuedThenAlreadyCompleted() async throws {
        let slow = EmulatorControls(latencyMilliseconds: 100, queueDepth: 50, queueStepMilliseconds: 60_000, logLines: 1)
        try await EmulatorFixture.with(EmulatorFixture.configuration(controls: slow)) { _, base in
            let submitted = try await EmulatorFixture.submit(base)
            let cancelURL = submitted["cancel_url"]!.stringValue!
            let cancelled = try await TestHTTP.send("PUT", cancelURL)
            #expect(cancelled.status == 202)
            #expect(cancelled.json?["status"] == "CANCELLATION_REQUESTED")
            let status = try await TestHTTP.send("GET", submitted["status_url"]!.stringValue!)
            #expect(status.json?["status"] == "COMPLETED")
            #expect(status.json?["error_type"] == "request_cancelled")
            let again = try await TestHTTP.send("PUT", cancelURL)
            #expect(again.status == 400)
            #expect(again.json?["status"] == "ALREADY_COMPLETED")
            let result = try await TestHTTP.send("GET", submitted["response_url"]!.stringValue!)
            #expect(result.status == 400)
            let unknown = try await TestHTTP.send("PUT", "\(base)/queue/fal-ai/illusion-diffusion/requests/nope/cancel")
            #expect(unknown.status == 404)
        }
    }

    @Test func subpathEndpointsAreAddressedByOwnerAndAliasOnly() async throws {
        try await EmulatorFixture.with { _, base in
            let submitted = try await EmulatorFixture.submit(base, endpoint: "fal-ai/fast-sdxl/image-to-image", input: ["prompt": "p", "image_url": "https://x/y.png"])
            let id = submitted["request_id"]!.stringValue!
            #expect(submitted["status_url"]?.stringValue == "\(base)/queue/fal-ai/fast-sdxl/requests/\(id)/status")
            _ = try await EmulatorFixture.pollUntilCompleted(submitted)
            let output = try await TestHTTP.send("GET", "\(base)/queue/fal-ai/fast-sdxl/requests/\(id)")
            #expect(output.status == 200)
            #expect(output.json?["images"]?.arrayValue?.count == 1)
            // Another app's URL does not reach the request.
            let other = try await TestHTTP.send("GET", "\(base)/queue/fal-ai/illusion-diffusion/requests/\(id)/status")
            #expect(other.status == 404)
        }
    }

    @Test func namespacedEndpointIDsKeepTheirNamespace() async throws {
        let directory = try TemporarySchemas.make(endpointID: "workflows/someone/my-flow")
        try await EmulatorFixture.with(EmulatorFixture.configuration(schemas: directory)) { _, base in
            let submitted = try await EmulatorFixture.submit(base, endpoint: "workflows/someone/my-flow", input: ["prompt": "x"])
            let id = submitted["request_id"]!.stringValue!
            #expect(submitted["response_url"]?.stringValue == "\(base)/queue/workflows/someone/my-flow/requests/\(id)")
            let statuses = try await EmulatorFixture.pollUntilCompleted(submitted)
            #expect(statuses.last?["status"] == "COMPLETED")
            let output = try await TestHTTP.send("GET", submitted["response_url"]!.stringValue!)
            #expect(output.json?["text"] != nil)
        }
    }

    @Test func unknownEndpointIs404() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.json("POST", "\(base)/queue/fal-ai/not-loaded", ["prompt": "x"])
            #expect(answer.status == 404)
            #expect(answer.json?["detail"]?.stringValue?.contains("fal-ai/not-loaded") == true)
        }
    }

    @Test func openAPIDocumentIsServedAsLoaded() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.send("GET", "\(base)/api/openapi/queue/openapi.json?endpoint_id=fal-ai/illusion-diffusion", key: nil)
            #expect(answer.status == 200)
            let file = try Data(contentsOf: EmulatorFixture.schemas.appendingPathComponent("fal-ai__illusion-diffusion.json"))
            #expect(answer.body == file)
            let missing = try await TestHTTP.send("GET", "\(base)/api/openapi/queue/openapi.json?endpoint_id=fal-ai/none", key: nil)
            #expect(missing.status == 404)
        }
    }

    @Test func submitHeadersFalClientsSendAreAccepted() async throws {
        try await EmulatorFixture.with { _, base in
            let headers = [
                "X-Fal-Queue-Priority": "low", "X-Fal-Runner-Hint": "hint-1", "X-Fal-Request-Timeout": "30",
                "X-Fal-Object-Lifecycle-Preference": #"{"expiration_duration_seconds": 3600}"#, "X-Something-Else": "1",
            ]
            let submitted = try await EmulatorFixture.submit(base, headers: headers)
            let statuses = try await EmulatorFixture.pollUntilCompleted(submitted)
            #expect(statuses.last?["error"] == nil)
        }
    }

    @Test func startTimeoutFailsARequestStuckInTheQueue() async throws {
        let queued = EmulatorControls(latencyMilliseconds: 0, queueDepth: 100, queueStepMilliseconds: 100, logLines: 1)
        try await EmulatorFixture.with(EmulatorFixture.configuration(controls: queued)) { _, base in
            let submitted = try await EmulatorFixture.submit(base, headers: ["X-Fal-Request-Timeout": "0.3"])
            let statuses = try await EmulatorFixture.pollUntilCompleted(submitted)
            #expect(statuses.last?["error_type"] == "request_timeout")
            let result = try await TestHTTP.send("GET", submitted["response_url"]!.stringValue!)
            #expect(result.status == 504)
            #expect(result.header("x-fal-request-timeout-type") == "user")
        }
    }
}

/// A schema directory holding one minimal document for an arbitrary endpoint id.
enum TemporarySchemas {
    static func make(endpointID: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fal-emulator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let document: JSONValue = [
            "openapi": "3.0.4",
            "info": ["title": "t", "version": "1", "x-fal-metadata": ["endpointId": .string(endpointID)]],
            "paths": [
                "/\(endpointID)": ["post": [
                    "requestBody": ["content": ["application/json": ["schema": ["$ref": "#/components/schemas/In"]]]],
                    "responses": ["200": ["description": "queued"]],
                ]],
                "/\(endpointID)/requests/{request_id}": [
                    "get": ["responses": ["200": ["description": "result", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Out"]]]]]]
                ],
            ],
            "components": ["schemas": [
                "In": ["type": "object", "properties": ["prompt": ["type": "string"]], "required": ["prompt"]],
                "Out": ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]],
            ]],
        ]
        try JSONEncoder().encode(document).write(to: directory.appendingPathComponent("doc.json"))
        return directory
    }
}
