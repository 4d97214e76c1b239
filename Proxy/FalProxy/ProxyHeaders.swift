import Foundation
import FalRuntime

/// Which headers cross the proxy, each way.
enum ProxyHeaders {
    /// Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded either way, plus those a `Connection` header names.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]

    /// Caller headers fal needs; everything else (cookies, the caller's `Authorization`, `Host`, the app's
    /// own headers) stays on the app's server. `x-fal-*` headers (request timeout, lifecycle, file name, …)
    /// go through, except the target itself.
    static let forwardedRequestHeaders: Set<String> = ["content-type", "accept", "user-agent"]

    /// Response headers never passed back: libcurl decodes compressed bodies (so `Content-Encoding` no longer
    /// describes the body), and fal's cookies are not for the app's domain.
    static let droppedResponseHeaders: Set<String> = ["content-encoding", "set-cookie"]

    /// The caller's headers to send to fal, with `authorization` (the key) added.
    static func upstream(from caller: HTTPHeaders, authorization: String) -> HTTPHeaders {
        let named = connectionNamed(caller)
        var fields: [(name: String, value: String)] = []
        for field in caller.fields {
            let name = field.name.lowercased()
            guard !hopByHop.contains(name), !named.contains(name), name != FalProxy.targetURLHeader else { continue }
            if forwardedRequestHeaders.contains(name) || name.hasPrefix("x-fal-") {
                fields.append(field)
            }
        }
        fields.append((name: "Authorization", value: authorization))
        fields.append((name: "x-fal-client-proxy", value: "fal-swift-proxy/0.1"))
        return HTTPHeaders(fields)
    }

    /// fal's headers to send back to the caller.
    /// `Content-Length` is kept when the body is passed on as it came (no `Content-Encoding`, which libcurl
    /// would have decoded): the caller then knows the size, and its client need not decode chunks.
    static func downstream(from upstream: HTTPHeaders) -> HTTPHeaders {
        let named = connectionNamed(upstream)
        let decoded = upstream.contains("Content-Encoding")
        return HTTPHeaders(upstream.fields.filter { field in
            let name = field.name.lowercased()
            if name == "content-length" { return !decoded }
            return !hopByHop.contains(name) && !named.contains(name) && !droppedResponseHeaders.contains(name)
        })
    }

    /// Header names a `Connection` header lists as hop-by-hop.
    private static func connectionNamed(_ headers: HTTPHeaders) -> Set<String> {
        Set(headers.fields.filter { $0.name.lowercased() == "connection" }.flatMap {
            $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        })
    }
}
