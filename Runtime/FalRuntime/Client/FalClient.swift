import Foundation

/// fal's API over libcurl: queue, sync run, streaming, storage. Cheap to share; all clients of a process
/// use one transfer event loop and its connection cache.
///
///     let fal = FalClient(configuration: .fromEnvironment())
///     let output = try await fal.endpoint(IllusionDiffusion.self).subscribe(input, logs: true) { print($0) }
public final class FalClient: Sendable, CustomStringConvertible {
    public let configuration: FalConfiguration
    let transport: HTTPTransport
    let cdnTokens = CDNTokenCache()

    public init(configuration: FalConfiguration = .fromEnvironment()) {
        self.configuration = configuration
        self.transport = HTTPTransport()
    }

    /// A client using `key` against `hosts` (fal's production hosts by default).
    public convenience init(key: String, hosts: FalHosts = .production) {
        self.init(configuration: FalConfiguration(key: key, hosts: hosts))
    }

    /// Uploads to fal's storage; inputs holding `FalFile.data` / `.localFile` use it automatically.
    public var storage: FalStorage { FalStorage(client: self) }

    public var description: String {
        let auth = configuration.proxyURL.map { "proxy \($0)" } ?? (configuration.credentials == nil ? "no key" : "key <redacted>")
        return "FalClient(queue: \(configuration.hosts.queue), run: \(configuration.hosts.run), \(auth))"
    }
}

/// Who a request authenticates as. The fal key goes only to the configured fal hosts.
enum RequestAuthorization: Sendable {
    case falKey
    /// A storage token (`{token_type} {token}`) for fal's CDN.
    case bearer(String)
    case none
}

/// A request before the client decides how it is addressed and authorised (proxy, key, retries).
struct FalRequest: Sendable {
    var method: String
    var url: String
    var headers = HTTPHeaders()
    var body: HTTPBody = .empty
    var authorization: RequestAuthorization = .falKey
    /// Overrides the configured request timeout; `.some(nil)` means no whole-transfer deadline.
    var timeout: Duration??
    /// False for submit and run: once their response started arriving they are never sent again.
    var resendAfterResponse = true
    /// Whether the caller set a server-side deadline (`X-Fal-Request-Timeout`): then timeouts are final.
    var hasServerTimeout: Bool { headers.contains("X-Fal-Request-Timeout") }
}
