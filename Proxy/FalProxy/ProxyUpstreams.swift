/// Where the proxy sends a target that passed the check. In production that is the target itself; tests map
/// fal's hosts to an emulator, as the client's `FalHosts.emulator(_:)` does.
///
/// The mapping changes only where the bytes go, never what is accepted: a target must still name
/// `https://queue.fal.run/…` (and pass `ProxyTargetPolicy`) before it is sent to the mapped base URL. So a
/// test proxy refuses exactly what the production proxy refuses.
public struct ProxyUpstreams: Sendable, Equatable {
    /// Base URL per fal host (lowercase), without a trailing slash; hosts not listed go to `https://{host}`.
    public var baseURLs: [String: String]

    /// Each host mapped to the base URL given (tests only: any scheme, any address).
    public init(baseURLs: [String: String] = [:]) {
        self.baseURLs = Dictionary(uniqueKeysWithValues: baseURLs.map { ($0.key.lowercased(), Self.trimmed($0.value)) })
    }

    /// fal itself: every target goes where it names.
    public static let production = ProxyUpstreams()

    /// fal's hosts on an emulator's one port, under the path prefixes the fal emulator serves them at
    /// (`/queue`, `/run`, `/rest`, `/cdn`, and `/v1` for the Platform API).
    public static func emulator(_ baseURL: String) -> ProxyUpstreams {
        let base = trimmed(baseURL)
        return ProxyUpstreams(baseURLs: [
            "queue.fal.run": base + "/queue", "fal.run": base + "/run", "rest.fal.ai": base + "/rest", "v3.fal.media": base + "/cdn",
            // The Platform API's paths already start with /v1, where the emulator serves it.
            "api.fal.ai": base,
        ])
    }

    /// The URL to send `target` to.
    public func url(for target: ProxyTargetPolicy.Target) -> String {
        (baseURLs[target.host] ?? "https://" + target.host) + target.pathAndQuery
    }

    private static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
