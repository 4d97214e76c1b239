import FalRuntime
import Foundation

/// The client's transport with one change: the emulator's CDN address in buffered answers becomes fal's
/// (`https://v3.fal.media`), as fal's own answers name it. The emulator names its own address in a multipart
/// upload's `access_url`, where the parts then go; through a proxy they must name fal's CDN host, or the
/// proxy (rightly) refuses them as a target.
struct ProductionURLTransport: Transport {
    let base: any Transport
    let emulatorCDN: String

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var response = try await base.send(request)
        let text = String(decoding: response.body, as: UTF8.self)
        if text.contains(emulatorCDN) {
            response.body = Data(text.replacingOccurrences(of: emulatorCDN, with: "https://v3.fal.media").utf8)
        }
        return response
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse { try await base.stream(request) }
}
