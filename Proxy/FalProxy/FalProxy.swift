import FalRuntime
import Foundation
import Logging

/// The server half of proxy mode: an app's server forwards its apps' fal requests, adding the fal key, so
/// the key never ships in the app. Framework-neutral: adapters (`FalProxyHummingbird`, `FalProxyVapor`)
/// turn their framework's request into a `ProxyRequest` and write the `ProxyResponse` back.
///
/// For each request, in this order, before anything reaches fal:
/// 1. the target (`x-fal-target-url`) must pass `ProxyTargetPolicy` (exact fal host, https, no tricks);
/// 2. the app's `ProxyAuthentication` must accept the caller, then its per-caller `limit`, if any;
/// 3. the caller's `Authorization` (and every header fal does not need) is dropped and `Authorization: Key …`
///    added. The key is never written into an answer, an error or a log.
///
/// Bodies stream both ways through bounded buffers: uploads are read from the caller as fal takes them,
/// answers (server-sent status events included) are passed on chunk by chunk. Redirects are passed back,
/// never followed. Requests go through the SDK's `Transport` (libcurl by default).
public struct FalProxy: Sendable {
    /// The header naming the URL the caller wants reached (fal's clients set it in proxy mode).
    public static let targetURLHeader = "x-fal-target-url"
    /// Methods forwarded; fal's API uses no others.
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE"]

    /// The configuration, fixed for the proxy's lifetime.
    public let configuration: FalProxyConfiguration
    let transport: any Transport
    let logger: Logger
    let storageTokens = ProxyStorageTokens()
    /// Hosts that take a storage token (fetched by the proxy with the key) rather than the key itself.
    public static let cdnHosts: Set<String> = ["v3.fal.media"]

    /// A proxy over `transport`. Logs a warning at once when `configuration` lets everyone through, and an
    /// error when it has no key.
    public init(configuration: FalProxyConfiguration, transport: any Transport = defaultTransport(), logger: Logger = Logger(label: "fal.proxy")) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        if configuration.authentication.isEveryone {
            logger.warning("fal proxy: every caller is let through (ProxyAuthentication.everyone); anyone who can reach this server spends your fal credits. Give it your app's own check.")
        }
        if configuration.credentials == nil {
            logger.error("fal proxy: no fal key (set FAL_KEY, or FAL_KEY_ID and FAL_KEY_SECRET); every request will be answered 500")
        }
    }

    /// Checks, authenticates and forwards one request; never throws: refusals and failures are answers.
    public func handle(_ request: ProxyRequest) async -> ProxyResponse {
        guard let targetURL = request.targetURL else {
            return .detail(400, "missing \(Self.targetURLHeader) header")
        }
        let target: ProxyTargetPolicy.Target
        switch configuration.targets.check(targetURL) {
        case .success(let accepted): target = accepted
        case .failure(let refusal):
            logger.notice("fal proxy: target refused", metadata: ["fal.reason": "\(refusal.reason)", "fal.remote": "\(request.remoteAddress ?? "?")"])
            return .detail(403, "target refused: \(refusal.reason)")
        }
        let method = request.method.uppercased()
        guard Self.methods.contains(method) else { return .detail(405, "method \(method) is not proxied") }
        if Self.cdnHosts.contains(target.host), method == "GET" || method == "HEAD" {
            // Only uploads go to the CDN through the proxy: fal's file URLs are public, fetched directly.
            return .detail(403, "target refused: downloads from fal's CDN are not proxied")
        }
        guard await configuration.authentication.allows(request) else {
            logger.notice("fal proxy: caller refused by the app's authentication", metadata: ["fal.remote": "\(request.remoteAddress ?? "?")"])
            return .detail(401, "unauthorized")
        }
        if let limit = configuration.limit, case .refuse(let retryAfter) = await limit(request) {
            let seconds = retryAfter.map { String(max(1, Int(($0.inSecondsDouble).rounded(.up)))) }
            return .detail(429, "too many requests", extraHeaders: seconds.map { [(name: "Retry-After", value: $0)] } ?? [])
        }
        guard let credentials = configuration.credentials else {
            return .detail(500, "the proxy has no fal key configured")
        }
        if let length = request.body.length, length > configuration.maximumRequestBodyBytes {
            return .detail(413, "request body exceeds \(configuration.maximumRequestBodyBytes) bytes")
        }

        let authorization: String
        if Self.cdnHosts.contains(target.host) {
            do {
                authorization = try await storageTokens.authorization(
                    key: credentials, transport: transport, upstreams: configuration.upstreams, connectTimeout: configuration.connectTimeout)
            } catch {
                logger.warning("fal proxy: no storage token for the CDN", metadata: ["fal.reason": "\(Self.kind(of: error))"])
                return .detail(502, "fal's storage token service could not be reached through the proxy")
            }
        } else {
            authorization = credentials.authorizationHeaderValue
        }

        var body = HTTPBody.empty
        if method != "GET", method != "HEAD", !request.body.isEmpty, let source = request.body.source {
            body = .stream(source.limited(to: configuration.maximumRequestBodyBytes))
        }
        let upstream = HTTPRequest(
            method: method, url: configuration.upstreams.url(for: target),
            headers: ProxyHeaders.upstream(from: request.headers, authorization: authorization),
            body: body, timeout: configuration.requestTimeout, connectTimeout: configuration.connectTimeout,
            idleTimeout: configuration.idleTimeout)
        do {
            let response = try await transport.stream(upstream)
            if Self.cdnHosts.contains(target.host), response.head.status == 401 || response.head.status == 403 {
                await storageTokens.invalidate()  // the caller's next try fetches a fresh one
            }
            logger.debug("fal proxy: forwarded", metadata: [
                "fal.method": "\(method)", "fal.host": "\(target.host)", "fal.path": "\(target.path)", "fal.status": "\(response.head.status)"])
            return ProxyResponse(status: response.head.status, headers: ProxyHeaders.downstream(from: response.head.headers), body: .stream(response.body))
        } catch let failure as TransportFailure {
            // The transport's message names the upstream URL at most; the key is in a header, never in a message.
            logger.warning("fal proxy: upstream failed", metadata: ["fal.host": "\(target.host)", "fal.reason": "\(failure.kind.rawValue)"])
            if failure.kind == .limit {
                return .detail(413, "request body exceeds \(configuration.maximumRequestBodyBytes) bytes")
            }
            return .detail(failure.kind == .timeout ? 504 : 502, "fal could not be reached through the proxy (\(failure.kind.rawValue))")
        } catch {
            return .detail(499, "the request was cancelled")
        }
    }
}

extension FalProxy {
    /// A failure's kind, for logs: never its message, which could quote what a server sent.
    static func kind(of error: any Error) -> String {
        (error as? TransportFailure).map { "\($0.kind.rawValue) (status \($0.code))" } ?? "\(type(of: error))"
    }
}

extension Duration {
    /// Seconds as a `Double`.
    fileprivate var inSecondsDouble: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
