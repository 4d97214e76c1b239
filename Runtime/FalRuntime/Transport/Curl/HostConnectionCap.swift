/// How many connections libcurl may open to one host (`CURLMOPT_MAX_HOST_CONNECTIONS`), for the one multi
/// handle the process shares.
///
/// With HTTP/2, concurrent requests to a host share a connection, but libcurl still opens new ones while
/// earlier ones set up TLS or fill their streams: 1,000 concurrent subscribes through nginx opened 18 TCP
/// connections on an idle machine and 301 on a loaded one (`make bench-tls`). A cap of a few makes the rest
/// wait for a stream on the connections there are (each carries the server's limit, 128 for nginx).
///
/// Over HTTP/1.1 the same cap would serialise requests behind long status streams, so it holds only while
/// every transfer may multiplex: the first one that cannot (plain `http://`, or held to HTTP/1.1 by
/// `TLSOptions`) or the first response that came over HTTP/1.x lifts it for good, and the process is back to
/// libcurl's per-host default (no cap; the total cap of `fal_curl_multi_cap_connections` stays).
struct HostConnectionCap: Sendable, Equatable {
    /// Connections per host while the cap holds.
    static let multiplexed = 4

    /// The current `CURLMOPT_MAX_HOST_CONNECTIONS` value: `multiplexed`, or 0 (none) once lifted.
    private(set) var limit = Self.multiplexed

    var isLifted: Bool { limit == 0 }

    /// A transfer is about to start; true when that lifts the cap (the caller applies the new `limit`).
    mutating func starting(mayMultiplex: Bool) -> Bool {
        guard !isLifted, !mayMultiplex else { return false }
        limit = 0
        return true
    }

    /// A response came over HTTP/1.x; true when that lifts the cap.
    mutating func sawHTTP1() -> Bool {
        guard !isLifted else { return false }
        limit = 0
        return true
    }
}
