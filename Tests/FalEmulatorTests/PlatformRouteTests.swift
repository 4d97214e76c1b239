import FalCore
import FalEmulator
import Foundation
import Testing

/// The emulator's Platform API routes as fal documents them: query parameters checked with clear 400s in fal's
/// error body, repeated and comma-separated arrays, cursor paging, documents inline in their own member order.
@Suite struct PlatformRouteTests {
    static func error(_ answer: TestHTTP.Answer) -> (type: String?, message: String?) {
        (answer.json?["error"]?["type"]?.stringValue, answer.json?["error"]?["message"]?.stringValue)
    }

    @Test func invalidParametersAre400sNamingTheParameterAndRule() async throws {
        try await EmulatorFixture.with { _, base in
            let cases: [(String, String)] = [
                ("/v1/models?limit=0", "limit: 0 is less than minimum 1"),
                ("/v1/models?limit=ten", "limit: \"ten\" is not an integer"),
                ("/v1/models?status=retired", "status: \"retired\" is not one of active, deprecated"),
                ("/v1/models?expand=openapi-2.0", "expand: \"openapi-2.0\" is not one of enterprise_status, openapi-3.0"),
                ("/v1/models?cursor=%21%21", "cursor: \"!!\" is not a cursor this API returned"),
                ("/v1/models?endpoint_id=" + (0...50).map { "a/\($0)" }.joined(separator: ","), "endpoint_id: 51 values, at most 50 are accepted"),
                ("/v1/models/pricing", "endpoint_id is required (1-50 values)"),
                ("/v1/models/usage?start=yesterday", "start: \"yesterday\" is not an ISO 8601 date-time or YYYY-MM-DD"),
                ("/v1/models/usage?timeframe=year", "timeframe: \"year\" is not one of minute, hour, day, week, month"),
                ("/v1/models/requests/by-endpoint?endpoint_id=a/b&limit=101", "limit: 101 exceeds maximum 100"),
                ("/v1/models/requests/search?query=a&image_url=b", "query, image_url and video_url are mutually exclusive"),
            ]
            for (path, message) in cases {
                let answer = try await TestHTTP.send("GET", base + path)
                #expect(answer.status == 400, "\(path): \(answer.status) \(answer.text)")
                #expect(Self.error(answer).type == "validation_error", "\(path)")
                #expect(Self.error(answer).message == message, "\(path): \(answer.text)")
                #expect(answer.json?["error"]?["request_id"]?.stringValue != nil)
            }
            let unknown = try await TestHTTP.send("GET", base + "/v1/models/nothing")
            #expect(unknown.status == 404 && Self.error(unknown).type == "not_found")
            let keyless = try await TestHTTP.send("GET", base + "/v1/models/pricing?endpoint_id=\(EmulatorFixture.illusion)", key: nil)
            #expect(keyless.status == 401 && Self.error(keyless).type == "authorization_error")
            // `/models` takes a key optionally.
            #expect(try await TestHTTP.send("GET", base + "/v1/models", key: nil).status == 200)
        }
    }

    @Test func endpointIDsRepeatedOrCommaSeparatedAndPagedByCursor() async throws {
        try await EmulatorFixture.with { _, base in
            let repeated = try await TestHTTP.send("GET", base + "/v1/models?endpoint_id=fal-ai/illusion-diffusion&endpoint_id=fal-ai/lora/image-to-image")
            let comma = try await TestHTTP.send("GET", base + "/v1/models?endpoint_id=fal-ai/illusion-diffusion,fal-ai/lora/image-to-image")
            let ids = { (answer: TestHTTP.Answer) in answer.json?["models"]?.arrayValue?.compactMap { $0["endpoint_id"]?.stringValue } }
            #expect(ids(repeated) == ["fal-ai/illusion-diffusion", "fal-ai/lora/image-to-image"])
            #expect(ids(comma) == ids(repeated))

            var seen: [String] = []
            var cursor: String?
            repeat {
                let answer = try await TestHTTP.send("GET", base + "/v1/models?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
                seen += ids(answer) ?? []
                cursor = answer.json?["next_cursor"]?.stringValue
                #expect(answer.json?["has_more"] == .bool(cursor != nil))
            } while cursor != nil
            #expect(seen.count == 4 && Set(seen).count == 4)
        }
    }

    @Test func expandSplicesTheDocumentAsServed() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.send("GET", base + "/v1/models?endpoint_id=\(EmulatorFixture.illusion)&expand=openapi-3.0")
            #expect(answer.status == 200)
            let text = answer.text
            let original = try String(contentsOf: EmulatorFixture.schemas.appendingPathComponent("fal-ai__illusion-diffusion.json"), encoding: .utf8)
            // The document's own bytes, member order and all.
            #expect(text.contains(original.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(answer.json?["models"]?.arrayValue?.first?["openapi"]?["openapi"] != nil)
        }
    }
}

/// `fal-emulator --prices FILE`: the pricing table's format, and its errors naming the field.
@Suite struct PlatformSettingsTests {
    @Test func loadsATableAndRefusesBadPrices() throws {
        let table = try PlatformSettings.load(Data(#"""
            {"prices": {"fal-ai/flux/dev": {"unit_price": 0.03, "unit": "megapixel", "currency": "USD"}},
             "default": {"unit_price": 0.01, "unit": "image", "currency": "EUR"}, "deprecated": ["fal-ai/old"]}
            """#.utf8))
        #expect(table.prices["fal-ai/flux/dev"] == PlatformSettings.Price(unitPrice: 0.03, unit: "megapixel", currency: "USD"))
        #expect(table.defaultPrice.currency == "EUR" && table.deprecated == ["fal-ai/old"])
        do {
            _ = try PlatformSettings.load(Data(#"{"prices": {"a/b": {"unit_price": -1, "unit": "image", "currency": "USD"}}}"#.utf8))
            Issue.record("a negative price was accepted")
        } catch {
            #expect("\(error)".contains("prices[a/b]: unit_price must be a finite number >= 0"), "\(error)")
        }
    }

    @Test func configuredPricesAndDeprecationsAreServed() async throws {
        let configuration = EmulatorFixture.configuration { configuration in
            configuration.platform = PlatformSettings(
                prices: [EmulatorFixture.illusion: .init(unitPrice: 0.1, unit: "megapixel", currency: "USD")], deprecated: [EmulatorFixture.illusion])
        }
        try await EmulatorFixture.with(configuration) { _, base in
            let prices = try await TestHTTP.send("GET", base + "/v1/models/pricing?endpoint_id=\(EmulatorFixture.illusion)")
            #expect(prices.json?["prices"]?.arrayValue?.first?["unit"] == "megapixel")
            let deprecated = try await TestHTTP.send("GET", base + "/v1/models?status=deprecated")
            #expect(deprecated.json?["models"]?.arrayValue?.compactMap { $0["endpoint_id"]?.stringValue } == [EmulatorFixture.illusion])
        }
    }
}
