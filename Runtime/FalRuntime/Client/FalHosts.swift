/// Base URLs of fal's services. Each may carry a path prefix: the emulator serves every host on one
/// port under `/queue`, `/run`, `/rest`, `/cdn` and `/v1`, so `FalHosts.emulator(...)` points all five there.
public struct FalHosts: Sendable, Equatable {
    /// queue.fal.run: submit, status, result, cancel.
    public var queue: String
    /// fal.run: synchronous runs and streaming endpoints.
    public var run: String
    /// rest.fal.ai: storage tokens and upload initiation.
    public var rest: String
    /// v3.fal.media: fal's CDN. Uploads use the `base_url` the token answer names; this is its default.
    public var cdn: String
    /// api.fal.ai/v1: fal's Platform API (model search, pricing, usage, requests), used by `FalClient.platform`.
    public var api: String

    /// fal's Platform API on its production host.
    public static let productionAPI = "https://api.fal.ai/v1"

    /// Hosts as given; trailing slashes are dropped so paths join cleanly.
    public init(queue: String, run: String, rest: String, cdn: String, api: String = FalHosts.productionAPI) {
        self.queue = Self.trimmed(queue)
        self.run = Self.trimmed(run)
        self.rest = Self.trimmed(rest)
        self.cdn = Self.trimmed(cdn)
        self.api = Self.trimmed(api)
    }

    /// fal's public services over HTTPS: `queue.fal.run`, `fal.run`, `rest.fal.ai`, `v3.fal.media` and `api.fal.ai/v1`.
    public static let production = FalHosts(
        queue: "https://queue.fal.run", run: "https://fal.run", rest: "https://rest.fal.ai", cdn: "https://v3.fal.media")

    /// Every host on one server, under the path prefixes the fal emulator uses.
    public static func emulator(_ baseURL: String) -> FalHosts {
        let base = trimmed(baseURL)
        return FalHosts(queue: base + "/queue", run: base + "/run", rest: base + "/rest", cdn: base + "/cdn", api: base + "/v1")
    }

    /// The hosts that may receive the API key.
    var keyedHosts: [String] { [queue, run, rest, api] }

    /// Whether `url` lies under one of the hosts that may receive the key (origin and path prefix).
    func acceptsKey(_ url: String) -> Bool {
        keyedHosts.contains { base in url == base || url.hasPrefix(base + "/") || url.hasPrefix(base + "?") }
    }

    /// Whether `url` lies under the CDN base (where uploads go).
    func isUnderCDN(_ url: String) -> Bool {
        url.hasPrefix(cdn + "/") && !url.contains("\\") && !url.contains("/../")
    }

    private static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
