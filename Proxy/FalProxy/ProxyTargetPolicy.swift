/// Which `x-fal-target-url` values the proxy forwards: `https://` to a host on the allow-list, compared
/// exactly, and on `rest.fal.ai` only the paths this SDK's client uses.
///
/// The check is a strict parse of the target, not a pattern match (fal-js's `endsWith("fal.run")`-style
/// check accepts `evilfal.run`). Refused: any scheme but `https`, userinfo (`fal.run@evil.com`), a port other
/// than 443, IP literals, hosts with anything but ASCII letters, digits, `-` and `.` (so Unicode look-alikes
/// never match, and punycode `xn--` forms match only if listed), a trailing dot, fragments, control
/// characters, backslashes and dot segments (`/../`, also percent-encoded: libcurl would collapse them and
/// step out of an allowed endpoint).
public struct ProxyTargetPolicy: Sendable, Equatable {
    /// Hosts that may be targeted, lowercase, compared exactly.
    public var allowedHosts: Set<String>
    /// Paths allowed per host (prefixes); a host without an entry allows any path.
    public var allowedPathPrefixes: [String: [String]]
    /// When set, `fal.run` and `queue.fal.run` targets must belong to one of these endpoint ids
    /// (`fal-ai/flux/dev`): the endpoint itself and below it, and its app's queue requests
    /// (`fal-ai/flux/requests/…`, where fal puts status, result and cancel).
    public var allowedEndpoints: [String]?
    /// fal's Platform API operations forwarded to `api.fal.ai` (none by default): they act on the account whose
    /// key the proxy holds, so which of them an app's callers may use is the app's choice.
    public var platformOperations: PlatformOperations

    /// fal's API hosts: `fal.run` (run, streaming, realtime), `queue.fal.run` (queue), `rest.fal.ai` (storage
    /// tokens, upload initiation, realtime tokens) and `v3.fal.media` (the CDN uploads go to).
    public static let falHosts: Set<String> = ["fal.run", "queue.fal.run", "rest.fal.ai", "v3.fal.media"]

    /// On `rest.fal.ai`, only what the client needs: storage tokens, upload initiation and realtime tokens.
    /// The rest of that host (keys, billing, apps) acts on the account whose key the proxy holds.
    public static let restPaths: [String: [String]] = [
        "rest.fal.ai": ["/storage/auth/token", "/storage/upload/", "/tokens/"],
    ]

    /// The Platform API's host. Only the operations in `platformOperations` are forwarded to it, whatever
    /// `allowedHosts` says.
    public static let platformHost = "api.fal.ai"

    /// fal's hosts and paths, optionally narrowed to `endpoints`, and the Platform API operations chosen.
    public init(
        allowedHosts: Set<String> = ProxyTargetPolicy.falHosts, allowedPathPrefixes: [String: [String]] = ProxyTargetPolicy.restPaths,
        allowedEndpoints: [String]? = nil, platformOperations: PlatformOperations = []
    ) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.allowedPathPrefixes = allowedPathPrefixes
        self.allowedEndpoints = allowedEndpoints
        self.platformOperations = platformOperations
    }

    /// A target that passed the check: its host and what follows the host (path and query).
    public struct Target: Sendable, Equatable {
        /// The allowed host, lowercase.
        public var host: String
        /// Path and query as sent, starting with `/`.
        public var pathAndQuery: String
        /// The path alone.
        public var path: String { String(pathAndQuery.prefix { $0 != "?" }) }
    }

    /// Why a target was refused (no part of it echoes anything but the caller's own target).
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// One sentence.
        public var reason: String
        /// The reason.
        public var description: String { reason }
    }

    /// The target, or why it is refused.
    public func check(_ url: String) -> Result<Target, Refusal> {
        func refuse(_ reason: String) -> Result<Target, Refusal> { .failure(Refusal(reason: reason)) }
        guard url.utf8.count <= 8192 else { return refuse("the target URL is too long") }
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else {
            return refuse("the target URL must be printable ASCII without spaces or backslashes")
        }
        guard url.lowercased().hasPrefix("https://") else { return refuse("the target must be an https:// URL") }
        let rest = url.dropFirst("https://".count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = String(rest[..<authorityEnd]).lowercased()
        let tail = String(rest[authorityEnd...])
        guard !authority.contains("@") else { return refuse("the target URL must not carry userinfo") }
        guard !authority.hasPrefix("[") else { return refuse("the target must name a host, not an IP address") }
        if let colon = authority.lastIndex(of: ":") {
            guard authority[authority.index(after: colon)...] == "443" else { return refuse("the target must use port 443") }
            authority = String(authority[..<colon])
        }
        let host = authority
        guard !host.isEmpty, host.utf8.allSatisfy({ Self.isHostByte($0) }) else {
            return refuse("the target host must be plain ASCII letters, digits, '-' and '.'")
        }
        if host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
            return refuse("the target must name a host, not an IP address")
        }
        let isPlatform = host == Self.platformHost
        guard allowedHosts.contains(host) || (isPlatform && !platformOperations.isEmpty) else {
            return refuse("the target host is not one of fal's hosts this proxy serves")
        }
        guard !tail.contains("#") else { return refuse("the target URL must not carry a fragment") }
        let pathAndQuery = tail.hasPrefix("/") ? tail : "/" + tail
        let target = Target(host: host, pathAndQuery: pathAndQuery)
        let path = target.path
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { $0.lowercased() }
        let dotSegments: Set<String> = [".", "..", "%2e", "%2e%2e", ".%2e", "%2e."]
        guard !segments.contains(where: { dotSegments.contains($0) }), !path.lowercased().contains("%2f") else {
            return refuse("the target path must not contain dot segments or encoded slashes")
        }
        if isPlatform, !platformOperations.allows(path) {
            return refuse("this Platform API operation is not proxied")
        }
        if let prefixes = allowedPathPrefixes[host], !prefixes.contains(where: { path == $0 || path.hasPrefix($0) }) {
            return refuse("this path on \(host) is not proxied")
        }
        if let endpoints = allowedEndpoints, host == "fal.run" || host == "queue.fal.run" {
            guard endpoints.contains(where: { Self.path(path, belongsTo: $0) }) else {
                return refuse("the target endpoint is not one this proxy serves")
            }
        }
        return .success(target)
    }

    /// `/fal-ai/flux/dev`, anything below it, and `/fal-ai/flux/requests/…` (the app's queue requests).
    static func path(_ path: String, belongsTo endpoint: String) -> Bool {
        let id = endpoint.split(separator: "/").joined(separator: "/")
        guard !id.isEmpty else { return false }
        if path == "/" + id || path.hasPrefix("/" + id + "/") { return true }
        let app = id.split(separator: "/").prefix(2).joined(separator: "/")
        return path.hasPrefix("/" + app + "/requests/")
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."): true
        default: false
        }
    }
}
