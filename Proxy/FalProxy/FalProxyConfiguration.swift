import FalRuntime
import Foundation

/// Who may use the proxy: the app's own check of its caller, run before anything is forwarded.
public struct ProxyAuthentication: Sendable {
    let check: (@Sendable (ProxyRequest) async -> Bool)?

    /// The app's check (its session cookie, its own bearer token, …): true lets the request through.
    public static func using(_ check: @escaping @Sendable (ProxyRequest) async -> Bool) -> ProxyAuthentication {
        ProxyAuthentication(check: check)
    }

    /// Anyone who can reach the proxy spends the key's credits. For local development only: the proxy
    /// logs a warning when it starts with it.
    public static let everyone = ProxyAuthentication(check: nil)

    /// Whether this lets every caller through.
    public var isEveryone: Bool { check == nil }

    func allows(_ request: ProxyRequest) async -> Bool { await check?(request) ?? true }
}

/// What a per-caller limit says about one request.
public enum ProxyLimitDecision: Sendable, Equatable {
    /// Forward it.
    case allow
    /// Refuse it with 429; `retryAfter` becomes the `Retry-After` header.
    case refuse(retryAfter: Duration?)
}

/// Everything a `FalProxy` needs: the key, what it forwards, to whom, and how patient it is.
public struct FalProxyConfiguration: Sendable {
    /// The key added to every forwarded request; nil answers 500 (and logs why).
    public var credentials: FalCredentials?
    /// Which targets are forwarded (fal's hosts, exact match; optionally narrowed to endpoints).
    public var targets: ProxyTargetPolicy
    /// Where accepted targets are sent: fal itself, or (tests) an emulator.
    public var upstreams: ProxyUpstreams
    /// The app's check of its caller, run first.
    public var authentication: ProxyAuthentication
    /// An optional per-caller limit, run after authentication and before anything is forwarded.
    public var limit: (@Sendable (ProxyRequest) async -> ProxyLimitDecision)?
    /// Longest wait to connect to fal.
    public var connectTimeout: Duration
    /// Longest time without a byte moving to or from fal, or from the caller's body while fal waits for it.
    public var idleTimeout: Duration
    /// Whole-exchange deadline (uploads and status streams included).
    public var requestTimeout: Duration
    /// Largest request body forwarded (declared or counted); 413 beyond it.
    public var maximumRequestBodyBytes: Int64

    /// The key from `FAL_KEY` (or `FAL_KEY_ID` + `FAL_KEY_SECRET`), fal's hosts, and `authentication`.
    public init(
        credentials: FalCredentials? = FalCredentials.fromEnvironment(), authentication: ProxyAuthentication,
        targets: ProxyTargetPolicy = ProxyTargetPolicy(), upstreams: ProxyUpstreams = .production,
        limit: (@Sendable (ProxyRequest) async -> ProxyLimitDecision)? = nil,
        connectTimeout: Duration = .seconds(5), idleTimeout: Duration = .seconds(30), requestTimeout: Duration = .seconds(3600),
        maximumRequestBodyBytes: Int64 = 8 << 30
    ) {
        self.credentials = credentials
        self.authentication = authentication
        self.targets = targets
        self.upstreams = upstreams
        self.limit = limit
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maximumRequestBodyBytes = maximumRequestBodyBytes
    }
}
