import FalCore
import FalEmulator
import Foundation

/// Shortcuts for the realtime suites: tokens, WebSocket URLs, MessagePack inputs and results.
enum RealtimeFixture {
    static let endpoint = "fal-ai/fast-sdxl/image-to-image"
    static let alias = "fast-sdxl"

    /// A valid input of `endpoint`, small images (64×64) so sync-mode results stay small.
    static func input(prompt: String = "a lighthouse", seed: Int64 = 7, extra: [(MessagePackValue, MessagePackValue)] = []) -> MessagePackValue {
        var entries: [(key: MessagePackValue, value: MessagePackValue)] = [
            ("prompt", .string(prompt)), ("seed", .int(seed)), ("image_url", "https://example.com/in.png"),
            ("image_size", ["width": 64, "height": 64]),
        ]
        entries += extra.map { (key: $0.0, value: $0.1) }
        return .map(entries)
    }

    static func pack(_ value: MessagePackValue) -> Data {
        var writer = MessagePackWriter()
        writer.write(value)
        return writer.data
    }

    /// `ws://…/run/{endpoint}{path}` with the query parameters given.
    static func url(_ base: String, endpoint: String = endpoint, path: String = "/realtime", query: [String: String] = [:]) -> String {
        var components = URLComponents(string: base.replacingOccurrences(of: "http://", with: "ws://") + "/run/\(endpoint)\(path)")!
        if !query.isEmpty { components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        return components.string!
    }

    /// A token from `POST /rest/tokens/`.
    static func token(_ base: String, apps: [String] = [alias], seconds: Int = 120, key: String = TestHTTP.key) async throws -> String {
        let answer = try await TestHTTP.json(
            "POST", "\(base)/rest/tokens/", ["allowed_apps": .array(apps.map(JSONValue.string)), "token_expiration": .int(seconds)], key: key)
        guard answer.status == 200, let token = answer.json?.stringValue else { throw FixtureError("token answered \(answer.status): \(answer.text)") }
        return token
    }

    /// A connection authorised with a fresh token.
    static func openWithToken(_ base: String, query: [String: String] = [:], headers: [String: String] = [:]) async throws -> RealtimeTestClient {
        var query = query
        query["fal_jwt_token"] = try await token(base)
        return try await RealtimeTestClient.open(url(base, query: query), headers: headers)
    }

    /// The next frame that is not fal's `x-fal-message` metadata, which clients skip.
    static func nextMessage(_ client: RealtimeTestClient, timeout: Duration = .seconds(10)) async throws -> RealtimeTestClient.Frame {
        while true {
            let frame = try await client.receive(timeout: timeout)
            if case .text(let text) = frame, text.contains("\"x-fal-message\"") { continue }
            return frame
        }
    }

    /// The next result, decoded; fails on anything else.
    static func nextResult(_ client: RealtimeTestClient, timeout: Duration = .seconds(10)) async throws -> MessagePackValue {
        let frame = try await nextMessage(client, timeout: timeout)
        guard case .binary(let data) = frame else { throw FixtureError("expected a binary result, got \(frame)") }
        return try MessagePackReader().read(data)
    }

    /// The next text frame as JSON; fails on anything else.
    static func nextText(_ client: RealtimeTestClient, timeout: Duration = .seconds(10)) async throws -> JSONValue {
        let frame = try await nextMessage(client, timeout: timeout)
        guard case .text(let text) = frame, let json = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            throw FixtureError("expected a JSON text frame, got \(frame)")
        }
        return json
    }

    /// `GET /_emulator/realtime`.
    static func status(_ base: String) async throws -> JSONValue {
        let answer = try await TestHTTP.send("GET", "\(base)/_emulator/realtime")
        guard answer.status == 200, let json = answer.json else { throw FixtureError("realtime status answered \(answer.status)") }
        return json
    }

    /// Polls `GET /_emulator/realtime` (bounded) until `condition` holds for it.
    static func waitForStatus(_ base: String, timeout: Duration = .seconds(10), _ condition: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            let json = try await status(base)
            if condition(json) { return json }
            if ContinuousClock.now > deadline { throw FixtureError("realtime status never matched: \(json)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
