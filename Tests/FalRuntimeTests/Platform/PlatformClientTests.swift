import FalCore
import FalEmulator
import Foundation
import Testing
@testable import FalRuntime

/// `fal.platform` against the emulator's `/v1/models…` routes (its loaded documents, jobs, stored files and a
/// configured pricing table), through libcurl, as a user calls it.
@Suite struct PlatformClientTests {
    static let key = "platform-key"
    static let schemas = PlatformDocumentTests.root.appendingPathComponent("schemas")
    static let illusion = "fal-ai/illusion-diffusion"

    func withEmulator<T>(_ body: (FalClient, FalEmulator, String) async throws -> T) async throws -> T {
        var configuration = FalEmulator.Configuration(
            host: "127.0.0.1", port: 0, apiKey: Self.key, schemasDirectory: Self.schemas, controls: .immediate,
            platform: PlatformSettings(prices: [Self.illusion: .init(unitPrice: 0.05, unit: "image")], deprecated: ["fal-ai/lora/image-to-image"]))
        configuration.maxStoredRequests = 100
        let emulator = try FalEmulator(configuration: configuration)
        let base = try await emulator.start().absoluteString
        do {
            let fal = FalClient(configuration: FalConfiguration(key: Self.key, hosts: .emulator(base)))
            let value = try await body(fal, emulator, base)
            await emulator.stop()
            return value
        } catch {
            await emulator.stop()
            throw error
        }
    }

    @Test func modelsSearchFollowsTheCursor() async throws {
        try await withEmulator { fal, emulator, _ in
            var ids: [String] = []
            for try await model in fal.platform.models(search: "diffusion") { ids.append(model.endpointID) }
            #expect(ids == ["fal-ai/flux-differential-diffusion", Self.illusion])

            // One model per page: four pages, each its own request, and every model once.
            let before = emulator.requestLog.entries.filter { $0.path == "/v1/models" }.count
            var all: [String] = []
            for try await model in fal.platform.models(limit: 1) { all.append(model.endpointID) }
            #expect(all == emulator.endpointIDs)
            #expect(emulator.requestLog.entries.filter { $0.path == "/v1/models" }.count - before == 4)

            // Stopping early asks for no further page.
            let mark = emulator.requestLog.entries.filter { $0.path == "/v1/models" }.count
            for try await _ in fal.platform.models(limit: 1) { break }
            #expect(emulator.requestLog.entries.filter { $0.path == "/v1/models" }.count - mark == 1)
        }
    }

    @Test func modelsFilterByCategoryAndStatusAndExpandTheDocument() async throws {
        try await withEmulator { fal, _, _ in
            var imageToImage: [String] = []
            for try await model in fal.platform.models(category: "image-to-image", status: .active) {
                #expect(model.metadata?.category == "image-to-image")
                #expect(model.metadata?.status == .active)
                imageToImage.append(model.endpointID)
            }
            #expect(imageToImage == ["fal-ai/fast-sdxl/image-to-image", "fal-ai/flux-differential-diffusion"])
            var deprecated: [String] = []
            for try await model in fal.platform.models(status: .deprecated) { deprecated.append(model.endpointID) }
            #expect(deprecated == ["fal-ai/lora/image-to-image"])

            let page = try await fal.platform.modelsPage(endpointIDs: [Self.illusion, "fal-ai/lora/image-to-image", "no/such"], expand: ["openapi-3.0"])
            #expect(page.models.map(\.endpointID) == [Self.illusion, "fal-ai/lora/image-to-image"])
            #expect(page.hasMore == false && page.nextCursor == nil)
            let document = try #require(page.models.first?.openapi)
            #expect(document["info"]?["x-fal-metadata"]?["endpointId"] == .string(Self.illusion))
            #expect(document["paths"]?.objectValue?.isEmpty == false)
        }
    }

    @Test func pricingAndEstimateUseTheConfiguredTable() async throws {
        try await withEmulator { fal, _, _ in
            let prices = try await fal.platform.pricing(endpointIDs: [Self.illusion, "fal-ai/lora/image-to-image"])
            #expect(prices.prices.map(\.endpointID) == [Self.illusion, "fal-ai/lora/image-to-image"])
            #expect(prices.prices.first?.unitPrice == 0.05)
            #expect(prices.prices.last?.unitPrice == 0.025)  // the default price
            let units = try await fal.platform.estimatePricing(.unitPrice(.init(endpoints: [Self.illusion: .init(unitQuantity: 10)])))
            #expect(units.totalCost == 0.5 && units.currency == "USD" && units.estimateType == .unitPrice)
            let calls = try await fal.platform.estimatePricing(.historicalAPIPrice(.init(endpoints: [
                Self.illusion: .init(callQuantity: 2), "fal-ai/lora/image-to-image": .init(callQuantity: 4),
            ])))
            #expect(calls.totalCost == 0.2 && calls.estimateType == .historicalAPIPrice)
        }
    }

    @Test func badParametersFailLocallyOrWithFalsErrorBody() async throws {
        try await withEmulator { fal, emulator, _ in
            // Broken documented rules: nothing is sent, and the error names the parameter.
            let sent = emulator.requestLog.total
            let local = await #expect(throws: FalError.self) { try await fal.platform.modelsPage(limit: 0) }
            #expect(local == .validation([ValidationIssue(path: FieldPath("limit"), message: "0 is less than minimum 1")]))
            let empty = await #expect(throws: FalError.self) { try await fal.platform.pricing(endpointIDs: []) }
            #expect(empty == .validation([ValidationIssue(path: FieldPath("endpoint_id"), message: "has 0 items, fewer than minimum 1")]))
            let many = await #expect(throws: FalError.self) { try await fal.platform.pricing(endpointIDs: (0...50).map { "a/\($0)" }) }
            #expect(many == .validation([ValidationIssue(path: FieldPath("endpoint_id"), message: "has 51 items, more than maximum 50")]))
            #expect(emulator.requestLog.total == sent)

            // What only the server knows: fal's error body becomes FalError.http with its type and message.
            let refused = await #expect(throws: FalError.self) { try await fal.platform.modelsPage(cursor: "not a cursor") }
            guard case .http(let status, let detail, let type, let requestID)? = refused else { Issue.record("\(String(describing: refused))"); return }
            #expect(status == 400 && type == "validation_error" && requestID != nil)
            #expect(detail.contains("cursor") && detail.contains("https://fal.ai/docs"), "\(detail)")

            let stranger = FalClient(configuration: FalConfiguration(key: "wrong-key", hosts: fal.configuration.hosts))
            let unauthorized = await #expect(throws: FalError.self) { try await stranger.platform.pricing(endpointIDs: [Self.illusion]) }
            guard case .http(401, _, "authorization_error", _)? = unauthorized else { Issue.record("\(String(describing: unauthorized))"); return }
        }
    }

    @Test func usageRequestsAndPayloadDeletionComeFromTheEmulatorsJobs() async throws {
        try await withEmulator { fal, emulator, base in
            // An uploaded file, used by a request.
            let fileURL = try await fal.storage.upload(Data("pattern".utf8), contentType: "image/png", fileName: "pattern.png")
            let input: JSONValue = ["prompt": "a castle at sunset", "image_url": .string(fileURL)]
            let handle = try await fal.submit(Self.illusion, input: input)
            for _ in 0..<200 {
                if case .completed = try await fal.status(Self.illusion, requestID: handle.requestID) { break }
                try await Task.sleep(for: .milliseconds(20))
            }

            let usage = try await fal.platform.usagePage(endpointIDs: [Self.illusion], expand: ["time_series", "summary"])
            #expect(usage.summary?.first?.endpointID == Self.illusion)
            #expect(usage.summary?.first?.quantity == 1 && usage.summary?.first?.costTotal == 0.05)
            #expect(usage.timeSeries?.first?.results.first?.quantity == 1)

            let analytics = try await fal.platform.analyticsPage(endpointIDs: [Self.illusion], expand: ["summary"])
            #expect(analytics.summary?.first?.requestCount == 1 && analytics.summary?.first?.successCount == 1)

            var events: [String] = []
            for try await event in fal.platform.billingEvents() { events.append(event.requestID) }
            #expect(events == [handle.requestID])

            var items: [FalPlatform.RequestsByEndpoint.Item] = []
            for try await item in fal.platform.requestsByEndpoint(endpointIDs: [Self.illusion], expand: ["payloads"]) { items.append(item) }
            #expect(items.map(\.requestID) == [handle.requestID])
            #expect(items.first?.statusCode == 200 && items.first?.jsonInput?["prompt"] == "a castle at sunset")
            #expect(items.first?.jsonOutput?["image"] != nil)

            var found: [String] = []
            for try await result in fal.platform.searchRequests(text: "SUNSET") { found.append(result.requestID) }
            #expect(found == [handle.requestID])

            // Deleting the payloads removes the stored upload; the listing no longer carries them.
            #expect(try await TestDownload.status(fileURL) == 200)
            let deleted = try await fal.platform.deleteRequestPayloads(requestID: handle.requestID, idempotencyKey: "once")
            #expect(deleted.cdnDeleteResults.contains { $0.link == fileURL && $0.exception == nil })
            #expect(try await TestDownload.status(fileURL) == 404)
            let after = try await fal.platform.requestsByEndpointPage(endpointIDs: [Self.illusion], expand: ["payloads"])
            #expect(after.items.first?.jsonInput == nil)

            let unknown = await #expect(throws: FalError.self) { try await fal.platform.deleteRequestPayloads(requestID: "no-such-request") }
            guard case .http(404, _, "not_found", _)? = unknown else { Issue.record("\(String(describing: unknown))"); return }
            _ = base
        }
    }

    @Test func retriedLikeEveryOtherRequest() async throws {
        try await withEmulator { fal, emulator, _ in
            // fal answers 429 twice: the client's retry policy (the same as for the queue) sends it again.
            var controls = EmulatorControls.immediate
            controls.failure = FailureInjection(mode: .rateLimited, times: 2, operations: [.platform])
            emulator.controls = controls
            let prices = try await fal.platform.pricing(endpointIDs: [Self.illusion])
            #expect(prices.prices.count == 1)
            let attempts = emulator.requestLog.entries.filter { $0.path == "/v1/models/pricing" }.map(\.status)
            #expect(attempts == [429, 429, 200])
        }
    }

    @Test func hostsPointThePlatformAPIAnywhereAndKeepTheKeyThere() {
        #expect(FalHosts.production.api == "https://api.fal.ai/v1")
        #expect(FalHosts.emulator("http://127.0.0.1:8080/").api == "http://127.0.0.1:8080/v1")
        #expect(FalConfiguration.fromEnvironment(["FAL_BASE_URL": "http://127.0.0.1:9"]).hosts.api == "http://127.0.0.1:9/v1")
        #expect(FalConfiguration.fromEnvironment(["FAL_API_URL": "https://api.example.com/v1/"]).hosts.api == "https://api.example.com/v1")
        #expect(FalHosts.production.acceptsKey("https://api.fal.ai/v1/models"))
        #expect(!FalHosts.production.acceptsKey("https://api.fal.ai.evil.com/v1/models"))
    }

    @Test func queryEncodingRepeatsArraysAndEscapes() {
        var query = PlatformQuery()
        query.add("endpoint_id", ["fal-ai/flux/dev", "a b&c"])
        query.add("flag", true)
        query.add("share", 0.5)
        #expect(query.encoded == "?endpoint_id=fal-ai%2Fflux%2Fdev&endpoint_id=a%20b%26c&flag=true&share=0.5")
        #expect(PlatformQuery.pathSegment("a/../b?") == "a%2F..%2Fb%3F")
    }
}

/// A GET's status, without credentials (public file URLs).
enum TestDownload {
    static func status(_ url: String) async throws -> Int {
        let response = try await defaultTransport().send(HTTPRequest(method: "GET", url: url, timeout: .seconds(10)))
        return response.status
    }
}
