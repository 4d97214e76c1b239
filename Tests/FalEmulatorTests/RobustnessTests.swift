import FalCore
import FalEmulator
import Foundation
import Testing

@Suite struct RobustnessTests {
    @Test func malformedJSONIs400WithAMessage() async throws {
        try await EmulatorFixture.with { _, base in
            for url in ["\(base)/queue/fal-ai/illusion-diffusion", "\(base)/run/fal-ai/illusion-diffusion"] {
                let answer = try await TestHTTP.send("POST", url, body: Data("{\"prompt\": ".utf8))
                #expect(answer.status == 400)
                #expect(answer.json?["detail"]?.stringValue?.contains("Malformed JSON") == true)
                #expect(answer.json?["detail"]?.stringValue?.contains("unexpected end of text at byte 11") == true, "\(answer.json ?? nil)")
            }
        }
    }

    @Test func nonObjectBodyIs422InFalsShape() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.send("POST", "\(base)/run/fal-ai/illusion-diffusion", body: Data("[1, 2]".utf8))
            #expect(answer.status == 422)
            let detail = try #require(answer.json?["detail"]?.arrayValue?.first)
            #expect(detail["loc"] == ["body"])
            #expect(detail["type"] == "type_error")
        }
    }

    /// curl waits `--expect100-timeout` (here 60 s) for the interim answer before sending the body anyway,
    /// so its 20 s `--max-time` is only met when the emulator answers `100 Continue`.
    @Test func expect100ContinueIsAnsweredBeforeTheBody() async throws {
        try await EmulatorFixture.with { _, base in
            let (token, cdn) = try await StorageRouteTests.token(base)
            let (status, output) = try await Subprocess.run([
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--expect100-timeout", "60", "--max-time", "20",
                "-H", "Expect: 100-continue", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/octet-stream",
                "--data-binary", String(repeating: "x", count: 4_096), "\(cdn)/files/upload",
            ], timeout: .seconds(40))
            #expect(status == 0, "curl did not finish: \(output)")
            #expect(output.hasPrefix("200"), "\(output)")
        }
    }

    @Test func oversizedBodiesAre413() async throws {
        let configuration = EmulatorFixture.configuration { $0.maxJSONBodyBytes = 1_000; $0.maxUploadBytes = 2_000 }
        try await EmulatorFixture.with(configuration) { _, base in
            let big: JSONValue = ["prompt": .string(String(repeating: "x", count: 5_000)), "image_url": "https://x"]
            let answer = try await TestHTTP.json("POST", "\(base)/queue/fal-ai/illusion-diffusion", big)
            #expect(answer.status == 413)
            let (token, cdn) = try await StorageRouteTests.token(base)
            let upload = try await TestHTTP.send("POST", "\(cdn)/files/upload", headers: ["Authorization": "Bearer \(token)"], body: Data(count: 3_000), key: nil)
            #expect(upload.status == 413)
        }
    }

    @Test func storedRequestsAreEvictedOldestFirst() async throws {
        let configuration = EmulatorFixture.configuration { $0.maxStoredRequests = 3 }
        try await EmulatorFixture.with(configuration) { _, base in
            var submitted: [JSONValue] = []
            for _ in 0..<5 { submitted.append(try await EmulatorFixture.submit(base)) }
            let oldest = try await TestHTTP.send("GET", submitted[0]["status_url"]!.stringValue!)
            #expect(oldest.status == 404)
            let newest = try await TestHTTP.send("GET", submitted[4]["status_url"]!.stringValue!)
            #expect(newest.status == 200)
        }
    }

    @Test func storedRequestsStayWithinTheByteBudget() async throws {
        let configuration = EmulatorFixture.configuration { $0.maxStoredRequestBytes = 2_000 }
        try await EmulatorFixture.with(configuration) { _, base in
            let input: JSONValue = ["prompt": .string(String(repeating: "y", count: 900)), "image_url": "https://x"]
            var submitted: [JSONValue] = []
            for _ in 0..<3 { submitted.append(try await EmulatorFixture.submit(base, input: input)) }
            let oldest = try await TestHTTP.send("GET", submitted[0]["status_url"]!.stringValue!)
            let newest = try await TestHTTP.send("GET", submitted[2]["status_url"]!.stringValue!)
            #expect(oldest.status == 404)
            #expect(newest.status == 200)
        }
    }

    @Test func storedFilesStayWithinTheByteBudget() async throws {
        let configuration = EmulatorFixture.configuration { $0.maxStoredFileBytes = 10_000 }
        try await EmulatorFixture.with(configuration) { _, base in
            let (token, cdn) = try await StorageRouteTests.token(base)
            var urls: [String] = []
            for index in 0..<5 {
                let upload = try await TestHTTP.send(
                    "POST", "\(cdn)/files/upload", headers: ["Authorization": "Bearer \(token)", "X-Fal-File-Name": "f\(index).bin"],
                    body: Data(repeating: UInt8(index), count: 4_000), key: nil)
                urls.append(try #require(upload.json?["access_url"]?.stringValue))
            }
            let evicted = try await TestHTTP.send("GET", urls[0], key: nil)
            let kept = try await TestHTTP.send("GET", urls[4], key: nil)
            #expect(evicted.status == 404)
            #expect(kept.body == Data(repeating: 4, count: 4_000))
        }
    }

    /// Parts of unfinished multipart uploads count against the disk budget too: the most idle upload gives way.
    @Test func openMultipartUploadsStayWithinTheByteBudget() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("fal-emulator-budget-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let configuration = EmulatorFixture.configuration { $0.maxStoredFileBytes = 10_000; $0.uploadsParentDirectory = parent }
        try await EmulatorFixture.with(configuration) { _, base in
            let (token, cdn) = try await StorageRouteTests.token(base)
            let auth = ["Authorization": "Bearer \(token)"]
            func begin() async throws -> (access: String, id: String) {
                let answer = try await TestHTTP.send("POST", "\(cdn)/files/upload/multipart", headers: auth, key: nil)
                return (try #require(answer.json?["access_url"]?.stringValue), try #require(answer.json?["uploadId"]?.stringValue))
            }
            func put(_ upload: (access: String, id: String), _ number: Int) async throws -> Int {
                try await TestHTTP.send("PUT", "\(upload.access)/multipart/\(upload.id)/\(number)", headers: auth,
                                        body: Data(repeating: UInt8(number), count: 6_000), key: nil).status
            }
            let idle = try await begin()
            #expect(try await put(idle, 1) == 200)
            let busy = try await begin()
            #expect(try await put(busy, 1) == 200)  // 12,000 bytes of parts: the idle upload is dropped
            let bytesOnDisk = try FileManager.default.subpathsOfDirectory(atPath: parent.path).reduce(0) { total, name in
                let attributes = try FileManager.default.attributesOfItem(atPath: parent.appendingPathComponent(name).path)
                return total + ((attributes[.type] as? FileAttributeType) == .typeRegular ? (attributes[.size] as? Int ?? 0) : 0)
            }
            #expect(bytesOnDisk <= 10_000)
            #expect(try await put(idle, 2) == 404)
            let complete = try await TestHTTP.json("POST", "\(busy.access)/multipart/\(busy.id)/complete", ["parts": [["partNumber": 1]]], headers: auth, key: nil)
            #expect(complete.status == 200)
        }
    }

    @Test func unknownPathsAndMethodsAreAnsweredNotCrashed() async throws {
        try await EmulatorFixture.with { _, base in
            let nowhere = try await TestHTTP.send("GET", "\(base)/nowhere")
            let wrongMethod = try await TestHTTP.send("DELETE", "\(base)/queue/fal-ai/illusion-diffusion")
            let noAlias = try await TestHTTP.send("GET", "\(base)/queue/x")
            let hugeImage = try await TestHTTP.send("GET", "\(base)/cdn/files/generated/1-0-99999x1.png", key: nil)
            #expect(nowhere.status == 404)
            #expect(wrongMethod.status == 405)
            #expect(noAlias.status == 404)
            #expect(hugeImage.status == 404)
        }
    }
}
