import FalCore
import FalEmulator
import Foundation
import Testing

/// The realtime WebSocket's handshake: tokens from `POST /rest/tokens/`, `Authorization: Key` instead, and
/// every refusal, answered with HTTP before upgrading.
@Suite struct RealtimeHandshakeTests {
    @Test func tokenRouteIssuesAJSONStringThatOpensTheSocket() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.json("POST", "\(base)/rest/tokens/", ["allowed_apps": ["fast-sdxl"], "token_expiration": 120])
            #expect(answer.status == 200)
            #expect(answer.header("content-type") == "application/json")
            let token = try #require(answer.json?.stringValue)
            #expect(token.split(separator: ".").count == 3, "a JWT, as fal's")
            let client = try await RealtimeTestClient.open(RealtimeFixture.url(base, query: ["fal_jwt_token": token]))
            try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input()))
            let result = try await RealtimeFixture.nextResult(client)
            #expect(result["prompt"] == "a lighthouse")
            await client.close()
        }
    }

    @Test func tokenRouteChecksKeyAndBody() async throws {
        try await EmulatorFixture.with(EmulatorFixture.configuration(apiKey: TestHTTP.key)) { _, base in
            let keyless = try await TestHTTP.json("POST", "\(base)/rest/tokens/", ["allowed_apps": ["fast-sdxl"]], key: nil)
            #expect(keyless.status == 401)
            let wrongKey = try await TestHTTP.json("POST", "\(base)/rest/tokens/", ["allowed_apps": ["fast-sdxl"]], key: "wrong")
            #expect(wrongKey.status == 401)
            let missing = try await TestHTTP.json("POST", "\(base)/rest/tokens/", ["token_expiration": 120])
            #expect(missing.status == 422)
            #expect(missing.json?["detail"]?.arrayValue?.first?["loc"] == ["body", "allowed_apps"])
            let badType = try await TestHTTP.json("POST", "\(base)/rest/tokens/", ["allowed_apps": ["fast-sdxl"], "token_expiration": "soon"])
            #expect(badType.status == 422)
            let empty = try await TestHTTP.json("POST", "\(base)/rest/tokens/", ["allowed_apps": []])
            #expect(empty.status == 422)
            // Without token_expiration fal's default applies; out-of-range values are clamped, not refused.
            let defaulted = try await TestHTTP.json("POST", "\(base)/rest/tokens/", ["allowed_apps": ["fast-sdxl"]])
            #expect(defaulted.status == 200)
            let clamped = try await TestHTTP.json("POST", "\(base)/rest/tokens/", ["allowed_apps": ["fast-sdxl"], "token_expiration": 10_000_000])
            #expect(clamped.status == 200)
            let get = try await TestHTTP.send("GET", "\(base)/rest/tokens/")
            #expect(get.status == 405)
        }
    }

    @Test func keyHeaderOpensTheSocketWithoutAToken() async throws {
        try await EmulatorFixture.with(EmulatorFixture.configuration(apiKey: "realtime-key")) { _, base in
            let client = try await RealtimeTestClient.open(RealtimeFixture.url(base), headers: ["Authorization": "Key realtime-key"])
            try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input(seed: 3)))
            #expect(try await RealtimeFixture.nextResult(client)["seed"] == 3)
            await client.close()
            let wrong = try await RealtimeTestClient.connect(RealtimeFixture.url(base), headers: ["Authorization": "Key other"])
            guard case .refused(let status, let body) = wrong else { Issue.record("a wrong key was upgraded"); return }
            #expect(status == 401)
            #expect(body.contains("detail"))
        }
    }

    @Test func refusalsAreHTTPAnswersBeforeTheUpgrade() async throws {
        try await EmulatorFixture.with { _, base in
            let token = try await RealtimeFixture.token(base)
            let otherApp = try await RealtimeFixture.token(base, apps: ["flux-differential-diffusion"])
            let parts = token.split(separator: ".")
            let tampered = "\(parts[0]).\(parts[1]).\(String(parts[2].reversed()))"
            let cases: [(String, String, [String: String], Int)] = [
                ("no credentials", RealtimeFixture.url(base), [:], 401),
                ("a token the emulator did not sign", RealtimeFixture.url(base, query: ["fal_jwt_token": tampered]), [:], 401),
                ("not a token at all", RealtimeFixture.url(base, query: ["fal_jwt_token": "garbage"]), [:], 401),
                ("a Bearer header", RealtimeFixture.url(base), ["Authorization": "Bearer \(token)"], 401),
                ("another app's token", RealtimeFixture.url(base, query: ["fal_jwt_token": otherApp]), [:], 403),
                ("an unknown endpoint", RealtimeFixture.url(base, endpoint: "fal-ai/nope", query: ["fal_jwt_token": token]), [:], 404),
                ("a path outside /run", base.replacingOccurrences(of: "http://", with: "ws://") + "/queue/\(RealtimeFixture.endpoint)/realtime?fal_jwt_token=\(token)", [:], 404),
                ("max_buffering 0", RealtimeFixture.url(base, query: ["fal_jwt_token": token, "max_buffering": "0"]), [:], 400),
                ("max_buffering 61", RealtimeFixture.url(base, query: ["fal_jwt_token": token, "max_buffering": "61"]), [:], 400),
                ("max_buffering not a number", RealtimeFixture.url(base, query: ["fal_jwt_token": token, "max_buffering": "two"]), [:], 400),
            ]
            for (name, url, headers, expected) in cases {
                let handshake = try await RealtimeTestClient.connect(url, headers: headers)
                guard case .refused(let status, let body) = handshake else {
                    Issue.record("\(name): upgraded instead of \(expected)")
                    continue
                }
                #expect(status == expected, "\(name): \(status) \(body)")
                let detail = try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))["detail"]?.stringValue
                #expect(detail?.isEmpty == false, "\(name): fal's {\"detail\": …} body, got \(body)")
            }
            // The refused handshakes are in the request log, without their query (tokens stay out of it).
            let log = try await TestHTTP.send("GET", "\(base)/_emulator/requests")
            let realtime = log.json?["recent"]?.arrayValue?.filter { $0["operation"] == "realtime" } ?? []
            #expect(realtime.count == cases.count)
            #expect(!log.text.contains(token))
        }
    }

    @Test func anExpiredOrRevokedTokenIsRefused() async throws {
        try await EmulatorFixture.with { _, base in
            let shortLived = try await RealtimeFixture.token(base, seconds: 1)
            let revoked = try await RealtimeFixture.token(base)
            let expire = try await TestHTTP.send("POST", "\(base)/_emulator/realtime/expire-tokens")
            #expect(expire.status == 200)
            let fresh = try await RealtimeFixture.token(base)
            try await Task.sleep(for: .milliseconds(2_100))
            for (name, token, expected) in [("expired", shortLived, 401), ("revoked", revoked, 401)] {
                let handshake = try await RealtimeTestClient.connect(RealtimeFixture.url(base, query: ["fal_jwt_token": token]))
                guard case .refused(let status, let body) = handshake else {
                    Issue.record("\(name) token was upgraded")
                    continue
                }
                #expect(status == expected)
                #expect(body.contains(name), "\(body)")
            }
            // Tokens issued after the revocation still work.
            let client = try await RealtimeTestClient.open(RealtimeFixture.url(base, query: ["fal_jwt_token": fresh]))
            await client.close()
        }
    }

    @Test func customPathsAndTheBareEndpointIdAreServedToo() async throws {
        try await EmulatorFixture.with { _, base in
            let token = try await RealtimeFixture.token(base)
            for path in ["/custom/ws", ""] {
                let client = try await RealtimeTestClient.open(RealtimeFixture.url(base, path: path, query: ["fal_jwt_token": token]))
                try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input(prompt: "path \(path)")))
                #expect(try await RealtimeFixture.nextResult(client)["prompt"] == .string("path \(path)"))
                let status = try await RealtimeFixture.status(base)
                #expect(status["open"]?.arrayValue?.first?["path"] == .string(path))
                await client.close()
                _ = try await RealtimeFixture.waitForStatus(base) { $0["open"]?.arrayValue?.isEmpty == true }
            }
        }
    }

    @Test func httpRoutesStillAnswerOnTheSamePort() async throws {
        try await EmulatorFixture.with { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            let submitted = try await EmulatorFixture.submit(base)
            let statuses = try await EmulatorFixture.pollUntilCompleted(submitted)
            #expect(statuses.last?["status"] == "COMPLETED")
            // A plain GET of the realtime path (no upgrade) is the run route's "wrong method".
            let plain = try await TestHTTP.send("GET", "\(base)/run/\(RealtimeFixture.endpoint)/realtime")
            #expect(plain.status == 405)
            try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input()))
            _ = try await RealtimeFixture.nextResult(client)
            await client.close()
        }
    }
}
