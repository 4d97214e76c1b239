/// Everything a `FalClient` needs: who it is, where fal lives, and how patient it is.
public struct FalConfiguration: Sendable {
    /// The API key; nil in proxy mode (the proxy adds it server-side) or when none is configured.
    public var credentials: FalCredentials?
    /// Proxy mode, as fal's JS client has it: every request to fal goes to this URL instead, with the
    /// real target in `x-fal-target-url` and no key, so apps never hold the key.
    public var proxyURL: String?
    /// Headers sent to the proxy with every proxied request, read each time: the app's own credentials for its
    /// server (a session token the proxy's `ProxyAuthentication` checks). Never sent to fal directly.
    ///
    ///     configuration.proxyHeaders = { ["Authorization": "Bearer \(session.token)"] }
    public var proxyHeaders: (@Sendable () -> [String: String])?
    /// Where fal's queue, run, REST and CDN services live: fal's production hosts by default, or an emulator's.
    public var hosts: FalHosts
    /// When failed requests are sent again; `RetryPolicy.default` follows fal's official clients.
    public var retry: RetryPolicy
    /// Client-side deadline of each API request (not of a whole `subscribe`, which takes its own `timeout`).
    public var requestTimeout: Duration
    /// Longest wait for a connection (5 s, as fal's Python client).
    public var connectTimeout: Duration
    /// Longest time a response may make no progress, on every request including streams and uploads
    /// (fal's JS client drops a silent stream after 15 s). A silent status stream falls back to polling.
    public var idleTimeout: Duration?
    /// Most bytes of an API answer held in memory; a longer body fails with `FalError.transport(kind: .limit)`.
    public var responseBodyLimit: Int
    /// Pause between status polls when the status stream is unavailable or disabled.
    public var pollInterval: Duration
    /// How `subscribe` follows a request's progress.
    public var statusUpdates: StatusUpdateMode
    /// Uploads at least this large go through multipart upload with parallel parts.
    public var multipartThreshold: Int64
    /// Bytes per multipart part: 10 MiB by default; the initializer raises anything below 5 MiB to 5 MiB.
    public var multipartChunkSize: Int64
    /// Most parts uploaded at once: 10 by default (the initializer raises 0 to 1); a transport may allow fewer.
    public var multipartConcurrency: Int
    /// Sent as `User-Agent` with every request the client makes (`fal-swift/0.1` by default).
    public var userAgent: String
    /// Where the client reports what it does on your behalf: submits, retries (with their reason and delay),
    /// status-stream fallbacks, uploads and their parts. Nil (the default) logs nothing. The key is never
    /// logged; URLs are logged without their query.
    ///
    ///     var configuration = FalConfiguration.fromEnvironment()
    ///     configuration.logger = Logger(label: "fal")
    ///     configuration.logger?.logLevel = .debug
    ///     let fal = FalClient(configuration: configuration)
    public var logger: Logger?

    /// How `subscribe` and `statusUpdates` follow a request's progress.
    public enum StatusUpdateMode: Sendable, Equatable {
        /// fal's server-sent status stream, falling back to polling when it is unavailable or drops.
        case streamWithPollingFallback
        /// Only `GET …/status` every `pollInterval`: for networks that break server-sent events.
        case polling
    }

    /// Every setting, defaulting to fal's production hosts and its clients' timeouts (120 s per request, 5 s to
    /// connect, 30 s idle). `responseBodyLimit` is raised to at least 1 KiB, `multipartChunkSize` to 5 MiB and
    /// `multipartConcurrency` to 1.
    public init(
        credentials: FalCredentials? = nil, proxyURL: String? = nil, hosts: FalHosts = .production,
        retry: RetryPolicy = .default, requestTimeout: Duration = .seconds(120), connectTimeout: Duration = .seconds(5),
        idleTimeout: Duration? = .seconds(30), responseBodyLimit: Int = HTTPRequest.defaultResponseBodyLimit,
        pollInterval: Duration = .milliseconds(100), statusUpdates: StatusUpdateMode = .streamWithPollingFallback,
        multipartThreshold: Int64 = 100 * 1024 * 1024, multipartChunkSize: Int64 = 10 * 1024 * 1024,
        multipartConcurrency: Int = 10, userAgent: String = "fal-swift/0.1", logger: Logger? = nil
    ) {
        self.credentials = credentials
        self.proxyURL = proxyURL
        self.hosts = hosts
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.responseBodyLimit = max(1024, responseBodyLimit)
        self.pollInterval = pollInterval
        self.statusUpdates = statusUpdates
        self.multipartThreshold = multipartThreshold
        self.multipartChunkSize = max(5 * 1024 * 1024, multipartChunkSize)
        self.multipartConcurrency = max(1, multipartConcurrency)
        self.userAgent = userAgent
        self.logger = logger
    }

    /// Shorthand for a key and (optionally) other hosts.
    public init(key: String, hosts: FalHosts = .production) {
        self.init(credentials: FalCredentials(key: key), hosts: hosts)
    }

    /// Credentials from `FAL_KEY` / `FAL_KEY_ID` + `FAL_KEY_SECRET`; hosts from `FAL_QUEUE_URL`,
    /// `FAL_RUN_URL`, `FAL_REST_URL`, `FAL_CDN_URL`, `FAL_API_URL` (the Platform API), or all of them from
    /// `FAL_BASE_URL` (emulator layout).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> FalConfiguration {
        var hosts = FalHosts.production
        if let base = environment["FAL_BASE_URL"], !base.isEmpty { hosts = .emulator(base) }
        hosts = FalHosts(
            queue: environment["FAL_QUEUE_URL"] ?? hosts.queue, run: environment["FAL_RUN_URL"] ?? hosts.run,
            rest: environment["FAL_REST_URL"] ?? hosts.rest, cdn: environment["FAL_CDN_URL"] ?? hosts.cdn,
            api: environment["FAL_API_URL"] ?? hosts.api)
        return FalConfiguration(
            credentials: FalCredentials.fromEnvironment(environment), proxyURL: environment["FAL_PROXY_URL"], hosts: hosts)
    }
}

import Foundation
import Logging
