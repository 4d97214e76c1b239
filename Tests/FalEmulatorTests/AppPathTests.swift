import Testing

@testable import FalEmulator

/// Endpoint ids split the way fal-client's `AppId.from_endpoint_id` splits them.
@Suite struct AppPathTests {
    static func path(_ text: String) -> AppPath? { AppPath(segments: text.split(separator: "/")) }

    @Test func ownerAliasAndSubpath() throws {
        let app = try #require(Self.path("fal-ai/fast-sdxl/image-to-image"))
        #expect(app.app == "fal-ai/fast-sdxl")
        #expect(app.endpointID == "fal-ai/fast-sdxl/image-to-image")
        #expect(app.queueResource == nil)
    }

    @Test func namespacesKeepThreeSegmentsAsTheApp() throws {
        let app = try #require(Self.path("workflows/someone/flow/requests/r1/status"))
        #expect(app.app == "workflows/someone/flow")
        #expect(app.queueResource == .status(requestID: "r1"))
        #expect(Self.path("comfy/someone/graph")?.app == "comfy/someone/graph")
    }

    @Test func queueResources() {
        #expect(Self.path("fal-ai/x/requests/r1")?.queueResource == .result(requestID: "r1"))
        #expect(Self.path("fal-ai/x/requests/r1/status/stream")?.queueResource == .statusStream(requestID: "r1"))
        #expect(Self.path("fal-ai/x/requests/r1/cancel")?.queueResource == .cancel(requestID: "r1"))
        #expect(Self.path("fal-ai/x/requests/r1/other")?.queueResource == nil)
    }

    @Test func legacyNumericIDsAndInvalidOnes() {
        #expect(Self.path("12345-my-app")?.app == "12345/my-app")
        #expect(Self.path("not-numeric") == nil)
        #expect(Self.path("") == nil)
    }
}
