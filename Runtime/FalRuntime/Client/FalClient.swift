import Foundation

/// fal's API: queue, sync run, streaming, storage. Cheap to share. Every request goes through `transport`:
/// libcurl's `HTTPTransport` on Linux and macOS by default (all clients of a process share its event loop
/// and connection cache), `URLSessionTransport` on iOS, tvOS, watchOS and visionOS.
///
///     let fal = FalClient(configuration: .fromEnvironment())
///     let output = try await fal.endpoint(IllusionDiffusion.self).subscribe(input, logs: true) { print($0) }
///     let onURLSession = FalClient(configuration: .fromEnvironment(), transport: URLSessionTransport())
public final class FalClient: Sendable, CustomStringConvertible {
    /// Credentials, hosts, timeouts, retries and logging, fixed for the client's lifetime.
    public let configuration: FalConfiguration
    /// What every request of this client goes through: queue, run, streams, storage and webhook keys.
    public let transport: any Transport
    let cdnTokens = CDNTokenCache()
    /// What realtime connections open their WebSockets with (libcurl's client by default, URLSession's without it).
    let webSocketConnector: any WebSocketConnecting

    /// A client with `configuration` (read from the environment by default) over `transport` (the platform's
    /// default: see `defaultTransport()`).
    public init(configuration: FalConfiguration = .fromEnvironment(), transport: any Transport = defaultTransport()) {
        self.configuration = configuration
        self.transport = transport
        self.webSocketConnector = defaultWebSocketConnector()
    }

    /// A client whose realtime connections use `webSocketConnector` (tests put a fake or a configured client there).
    package init(configuration: FalConfiguration, transport: any Transport, webSocketConnector: any WebSocketConnecting) {
        self.configuration = configuration
        self.transport = transport
        self.webSocketConnector = webSocketConnector
    }

    /// A client using `key` against `hosts` (fal's production hosts by default).
    public convenience init(key: String, hosts: FalHosts = .production) {
        self.init(configuration: FalConfiguration(key: key, hosts: hosts))
    }

    /// Uploads to fal's storage; inputs holding `FalFile.data` / `.localFile` use it automatically.
    public var storage: FalStorage { FalStorage(client: self) }

    /// The queue and run hosts and how requests authenticate (key, proxy or none); a key shows as `<redacted>`.
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
    /// True for submit and run: fal starts (and bills) work for each one that arrives, so it is sent again
    /// only when it provably did not arrive (see `FalClient.retrying`).
    var startsWork = false
    /// Whether the caller set a server-side deadline (`X-Fal-Request-Timeout`): then timeouts are final.
    var hasServerTimeout: Bool { headers.contains("X-Fal-Request-Timeout") }
}
