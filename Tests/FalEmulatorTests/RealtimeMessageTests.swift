import FalCore
import FalEmulator
import Foundation
import Testing

/// Realtime inputs and results: MessagePack in binary frames, validated by the emulator's one validator,
/// answered with the queue path's fabricated output.
@Suite struct RealtimeMessageTests {
    /// What a typed client decodes from a fast-sdxl result.
    struct Output: Decodable {
        struct Image: Decodable {
            var url: String?
            var content: Data?
            var content_type: String?
            var width: Int
            var height: Int
        }

        var prompt: String
        var seed: Int
        var images: [Image]
        var request_id: String
    }

    @Test func aValidInputGetsTheQueuePathsOutputWithARequestID() async throws {
        try await EmulatorFixture.with { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input(prompt: "a red kite", seed: 1234)))
            let frame = try await RealtimeFixture.nextMessage(client)
            guard case .binary(let bytes) = frame else { throw FixtureError("expected a binary result, got \(frame)") }
            let output = try MessagePackDecoder().decode(Output.self, from: bytes)
            #expect(output.prompt == "a red kite")
            #expect(output.seed == 1234)
            #expect(UUID(uuidString: output.request_id) != nil)
            #expect(output.images.first?.url?.hasPrefix("\(base)/cdn/files/generated/") == true)
            #expect(output.images.first?.width == 64)
            // The same input through the queue's synchronous run fabricates the same output.
            let input: JSONValue = ["prompt": "a red kite", "seed": 1234, "image_url": "https://example.com/in.png", "image_size": ["width": 64, "height": 64]]
            let run = try await TestHTTP.json("POST", "\(base)/run/\(RealtimeFixture.endpoint)", input)
            var realtime = try JSONValue(MessagePackReader().read(bytes))
            if case .object(var members) = realtime {
                members["request_id"] = nil
                realtime = .object(members)
            }
            #expect(run.json == realtime)
            await client.close()
        }
    }

    @Test func theClientsRequestIDComesBack() async throws {
        try await EmulatorFixture.with { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input(extra: [("request_id", "mine-1")])))
            #expect(try await RealtimeFixture.nextResult(client)["request_id"] == "mine-1")
            await client.close()
        }
    }

    @Test func syncModeCarriesTheFileBytes() async throws {
        try await EmulatorFixture.with { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            let input = RealtimeFixture.input(seed: 99, extra: [("sync_mode", true), ("num_images", 2)])
            try await client.send(binary: RealtimeFixture.pack(input))
            let result = try await RealtimeFixture.nextResult(client)
            let images = try #require(result["images"]?.arrayValue)
            #expect(images.count == 2)
            for image in images {
                #expect(image["url"] == nil)
                let content = try #require(image["content"]?.dataValue, "content is MessagePack bin")
                #expect(content.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
                #expect(image["content_type"] == "image/png")
                #expect(image["width"] == 64 && image["height"] == 64)
                // The bytes are the file the queue path's URL serves.
                let served = try await TestHTTP.send("GET", "\(base)/cdn/files/generated/99-\(images.firstIndex(of: image)!)-64x64.png")
                #expect(served.body == content)
            }
            #expect(result["seed"] == 99)
            await client.close()
        }
    }

    /// The session writes every result into buffers it keeps (`AnswerScratch`): results sent back to back, large
    /// and small in turn, each arrive whole and as their own, never overwritten by the next one while NIO
    /// still writes them.
    @Test func pipelinedSyncModeResultsEachCarryTheirOwnBytes() async throws {
        try await EmulatorFixture.with { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            let sizes = [512, 64, 256, 512, 64, 512, 128, 512]
            for (index, side) in sizes.enumerated() {
                let input: MessagePackValue = [
                    "prompt": "a lighthouse", "seed": .int(Int64(1000 + index)), "image_url": "https://example.com/in.png",
                    "image_size": ["width": .int(Int64(side)), "height": .int(Int64(side))], "sync_mode": true,
                ]
                try await client.send(binary: RealtimeFixture.pack(input))
            }
            for (index, side) in sizes.enumerated() {
                let result = try await RealtimeFixture.nextResult(client)
                #expect(result["seed"] == .int(Int64(1000 + index)))
                let image = try #require(result["images"]?.arrayValue?.first)
                #expect(image["width"] == .int(Int64(side)))
                let content = try #require(image["content"]?.dataValue)
                let served = try await TestHTTP.send("GET", "\(base)/cdn/files/generated/\(1000 + index)-0-\(side)x\(side).png")
                // Compared as one Bool: on large Data a failing `==` inside #expect computes a diff for minutes.
                let same = served.body == content
                #expect(same, "result \(index): \(content.count) bytes received, \(served.body.count) served")
            }
            await client.close()
        }
    }

    @Test func badInputsGetAnErrorFrameAndTheConnectionStaysUsable() async throws {
        try await EmulatorFixture.with { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            // Missing prompt, guidance_scale out of range: both reported, with fal's loc paths and rule types.
            let invalid: MessagePackValue = ["image_url": "https://example.com/in.png", "guidance_scale": 1000.0, "request_id": "bad-1"]
            try await client.send(binary: RealtimeFixture.pack(invalid))
            let error = try await RealtimeFixture.nextText(client)
            #expect(error["type"] == "x-fal-error")
            #expect(error["error"] == "VALIDATION_ERROR")
            #expect(error["request_id"] == "bad-1")
            let detail = error["detail"]?.arrayValue ?? []
            #expect(detail.contains { $0["loc"] == ["body", "prompt"] && $0["type"] == "missing" })
            #expect(detail.contains { $0["loc"] == ["body", "guidance_scale"] && $0["type"] == "less_than_equal" })
            #expect(error["reason"]?.stringValue?.contains("prompt: is required") == true)

            let unreadable: [(String, Data, String)] = [
                ("reserved byte", Data([0xc1]), "msgpack_decode_error"),
                ("truncated map", Data([0x81, 0xa6]), "msgpack_decode_error"),
                ("an array", RealtimeFixture.pack(["prompt", "x"]), "type_error"),
                ("an integer key", RealtimeFixture.pack([1: "x"]), "type_error"),
            ]
            for (name, bytes, type) in unreadable {
                try await client.send(binary: bytes)
                let frame = try await RealtimeFixture.nextText(client)
                #expect(frame["error"] == "VALIDATION_ERROR", "\(name)")
                #expect(frame["detail"]?.arrayValue?.first?["type"] == .string(type), "\(name): \(frame)")
                #expect(frame["detail"]?.arrayValue?.first?["loc"] == ["body"], "\(name)")
            }
            try await client.send(text: "{\"prompt\": \"json is not the protocol\"}")
            #expect(try await RealtimeFixture.nextText(client)["detail"]?.arrayValue?.first?["type"] == "binary_frame_required")

            try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input(prompt: "still here")))
            #expect(try await RealtimeFixture.nextResult(client)["prompt"] == "still here")
            let status = try await RealtimeFixture.status(base)
            #expect(status["open"]?.arrayValue?.first?["rejected"] == 6)
            #expect(status["open"]?.arrayValue?.first?["answered"] == 1)
            await client.close()
        }
    }

    @Test func timingsFramesComeBetweenResults() async throws {
        try await EmulatorFixture.with { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            var frames: [RealtimeTestClient.Frame] = []
            for seed in 1...4 {
                try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input(seed: Int64(seed))))
            }
            while frames.filter({ if case .binary = $0 { true } else { false } }).count < 4 {
                frames.append(try await client.receive())
            }
            if case .text = frames.last {} else { frames.append(try await client.receive()) }
            let timings = frames.compactMap { frame -> JSONValue? in
                guard case .text(let text) = frame else { return nil }
                return try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            }
            // Every second result by default: fal's shape, which clients skip.
            #expect(timings.count == 2)
            #expect(timings.allSatisfy { $0["type"] == "x-fal-message" && $0["action"] == "timings" && $0["timing"]?.number != nil })
            await client.close()
        }
    }

    @Test func aSyncModeResultOverTheMessageLimitIsRefusedNotRendered() async throws {
        let configuration = EmulatorFixture.configuration { $0.realtimeMaxMessageBytes = 2 << 20 }
        try await EmulatorFixture.with(configuration) { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            let big: MessagePackValue = [
                "prompt": "big", "image_url": "https://example.com/in.png", "image_size": "square_hd", "sync_mode": true, "request_id": "big-1",
            ]
            try await client.send(binary: RealtimeFixture.pack(big))
            let error = try await RealtimeFixture.nextText(client)
            #expect(error["error"] == "OUTPUT_TOO_LARGE")
            #expect(error["request_id"] == "big-1")
            try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input(extra: [("sync_mode", true)])))
            #expect(try await RealtimeFixture.nextResult(client)["images"]?.arrayValue?.first?["content"]?.dataValue != nil)
            await client.close()
        }
    }

    @Test func aMessageOverTheLimitClosesWith1009() async throws {
        let configuration = EmulatorFixture.configuration { $0.realtimeMaxMessageBytes = 64 << 10 }
        try await EmulatorFixture.with(configuration) { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            try await client.send(binary: Data(count: 100 << 10))
            #expect(try await client.receive() == .close(code: 1009, reason: ""))
            await client.close()
        }
    }
}
