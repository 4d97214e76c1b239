import FalCore
import FalEmulator
import Foundation
import Testing

/// `/_emulator/realtime/…`: the faults SDK tests put into realtime connections.
@Suite struct RealtimeControlTests {
    @Test func dropClosesTheEndpointsConnectionsWithoutACloseFrame() async throws {
        try await EmulatorFixture.with { _, base in
            let first = try await RealtimeFixture.openWithToken(base)
            let second = try await RealtimeFixture.openWithToken(base)
            let other = try await RealtimeTestClient.open(
                RealtimeFixture.url(base, endpoint: "fal-ai/illusion-diffusion"), headers: ["Authorization": "Key \(TestHTTP.key)"])
            _ = try await RealtimeFixture.waitForStatus(base) { $0["open"]?.arrayValue?.count == 3 }
            let drop = try await TestHTTP.send("POST", "\(base)/_emulator/realtime/drop?endpoint_id=\(RealtimeFixture.endpoint)")
            #expect(drop.json?["dropped"] == 2)
            #expect(try await first.receive() == .ended)
            #expect(try await second.receive() == .ended)
            // The other endpoint's connection is untouched.
            try await other.send(binary: RealtimeFixture.pack(["prompt": "p", "image_url": "https://example.com/x.png"]))
            _ = try await RealtimeFixture.nextResult(other)
            let status = try await RealtimeFixture.waitForStatus(base) { $0["open"]?.arrayValue?.count == 1 }
            #expect(status["recently_closed"]?.arrayValue?.filter { $0["ended"] == "dropped" }.count == 2)
            await other.close()
        }
    }

    @Test func delayHoldsResultsBack() async throws {
        try await EmulatorFixture.with { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            let set = try await TestHTTP.send("POST", "\(base)/_emulator/realtime/delay?ms=3000&endpoint_id=\(RealtimeFixture.endpoint)")
            #expect(set.json?["delays_ms"]?[RealtimeFixture.endpoint] == 3000)
            let sent = ContinuousClock.now
            try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input()))
            _ = try await RealtimeFixture.nextResult(client)
            #expect(ContinuousClock.now - sent >= .milliseconds(3000))
            let cleared = try await TestHTTP.send("POST", "\(base)/_emulator/realtime/delay?ms=0&endpoint_id=\(RealtimeFixture.endpoint)")
            #expect(cleared.json?["delays_ms"] == [:])
            let again = ContinuousClock.now
            try await client.send(binary: RealtimeFixture.pack(RealtimeFixture.input()))
            _ = try await RealtimeFixture.nextResult(client)
            // Well under the 3 s delay (a loaded 2-core machine took 1.9 s here with a 0.7 s delay).
            #expect(ContinuousClock.now - again < .milliseconds(2500))
            let refused = try await TestHTTP.send("POST", "\(base)/_emulator/realtime/delay?ms=-5")
            #expect(refused.status == 400)
            await client.close()
        }
    }

    @Test func errorSendsInternalErrorThenCloses() async throws {
        try await EmulatorFixture.with { _, base in
            let client = try await RealtimeFixture.openWithToken(base)
            _ = try await RealtimeFixture.waitForStatus(base) { $0["open"]?.arrayValue?.count == 1 }
            let fail = try await TestHTTP.send("POST", "\(base)/_emulator/realtime/error?reason=GPU%20fell%20over")
            #expect(fail.json?["closed"] == 1)
            let error = try await RealtimeFixture.nextText(client)
            #expect(error == ["type": "x-fal-error", "error": "INTERNAL_ERROR", "reason": "GPU fell over"])
            #expect(try await client.receive() == .close(code: 1000, reason: ""))
            await client.close()
        }
    }

    @Test func expiringTokensUnauthorisesTokenConnectionsOnTheirNextInput() async throws {
        try await EmulatorFixture.with { _, base in
            let withToken = try await RealtimeFixture.openWithToken(base)
            let withKey = try await RealtimeTestClient.open(RealtimeFixture.url(base), headers: ["Authorization": "Key \(TestHTTP.key)"])
            let token = try await RealtimeFixture.token(base)
            let expire = try await TestHTTP.send("POST", "\(base)/_emulator/realtime/expire-tokens")
            #expect(expire.status == 200)

            try await withToken.send(binary: RealtimeFixture.pack(RealtimeFixture.input()))
            #expect(try await RealtimeFixture.nextText(withToken) == ["status": "error", "error": "Unauthorized"])
            #expect(try await withToken.receive() == .close(code: 1000, reason: ""))

            try await withKey.send(binary: RealtimeFixture.pack(RealtimeFixture.input()))
            _ = try await RealtimeFixture.nextResult(withKey)

            let refused = try await RealtimeTestClient.connect(RealtimeFixture.url(base, query: ["fal_jwt_token": token]))
            guard case .refused(let status, _) = refused else { Issue.record("a revoked token was upgraded"); return }
            #expect(status == 401)
            await withToken.close()
            await withKey.close()
        }
    }

    @Test func controlsNeedTheKeyAndKnownActions() async throws {
        try await EmulatorFixture.with { _, base in
            #expect(try await TestHTTP.send("GET", "\(base)/_emulator/realtime", key: nil).status == 401)
            #expect(try await TestHTTP.send("POST", "\(base)/_emulator/realtime/drop", key: nil).status == 401)
            #expect(try await TestHTTP.send("GET", "\(base)/_emulator/realtime/drop").status == 405)
            #expect(try await TestHTTP.send("POST", "\(base)/_emulator/realtime/explode").status == 404)
            let status = try await RealtimeFixture.status(base)
            #expect(status["open"] == [])
        }
    }
}
