import Foundation

/// The opening handshake of a WebSocket client (RFC 6455 §4.1): the HTTP/1.1 Upgrade request, and the
/// checks its 101 answer must pass.
///
/// The `Sec-WebSocket-Accept` value is the base64 SHA-1 of the key and a fixed GUID; FalCore has no SHA-1,
/// so the caller computes it from `acceptInput(forKey:)` (FalRuntime uses swift-crypto's `Insecure.SHA1`).
package enum WebSocketHandshake {
    /// The GUID RFC 6455 appends to the key before hashing.
    package static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// Headers the handshake sets itself; a caller's copy of them is refused.
    private static let reservedHeaders: Set<String> = [
        "host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions",
        "content-length", "transfer-encoding",
    ]

    /// A fresh `Sec-WebSocket-Key`: 16 random bytes, base64.
    package static func makeKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }

    /// The bytes whose SHA-1, base64-encoded, the server must answer in `Sec-WebSocket-Accept`.
    package static func acceptInput(forKey key: String) -> [UInt8] { Array((key + guid).utf8) }

    /// The URL's parts the connection needs: whether it is TLS, the host and port, and the request target.
    package struct Target: Sendable, Equatable {
        /// `wss` (or `https`).
        package var secure: Bool
        /// The host as in the URL (IPv6 without brackets).
        package var host: String
        /// The port, explicit or the scheme's default.
        package var port: Int
        /// Path and query, as sent in the request line.
        package var path: String
        /// The value of the `Host` header: the host (IPv6 bracketed) and a non-default port.
        package var hostHeader: String
        /// The same endpoint as an `http`/`https` URL, for HTTP stacks that only speak those.
        package var httpURL: String
    }

    /// Reads a `ws`, `wss` (or `http`, `https`) URL; refuses any other scheme, a missing host, or userinfo.
    package static func target(_ url: URL) throws(WebSocketError) -> Target {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let scheme = components.scheme?.lowercased() else { throw .invalidRequest("not a URL: \(url)") }
        let secure: Bool
        switch scheme {
        case "wss", "https": secure = true
        case "ws", "http": secure = false
        default: throw .invalidRequest("scheme \(scheme) is not ws or wss: \(url)")
        }
        guard let host = components.host, !host.isEmpty else { throw .invalidRequest("no host in \(url)") }
        guard components.user == nil, components.password == nil else { throw .invalidRequest("user info in a WebSocket URL") }
        let defaultPort = secure ? 443 : 80
        let port = components.port ?? defaultPort
        let bareHost = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let hostPart = bareHost.contains(":") ? "[\(bareHost)]" : bareHost
        let hostHeader = port == defaultPort ? hostPart : "\(hostPart):\(port)"
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        let httpURL = "\(secure ? "https" : "http")://\(hostPart):\(port)\(path)"
        return Target(secure: secure, host: bareHost, port: port, path: path, hostHeader: hostHeader, httpURL: httpURL)
    }

    /// The Upgrade request for `target` with `key`, and the caller's extra `headers` (e.g. `User-Agent`,
    /// `Sec-WebSocket-Protocol`). Refuses header names that are not HTTP tokens, values with line breaks,
    /// and the headers the handshake sets itself.
    package static func request(_ target: Target, key: String, headers: [(name: String, value: String)] = []) throws(WebSocketError) -> [UInt8] {
        var text = "GET \(target.path) HTTP/1.1\r\nHost: \(target.hostHeader)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else { throw .invalidRequest("header name \(name.debugDescription) is not an HTTP token") }
            guard !reservedHeaders.contains(name.lowercased()) else { throw .invalidRequest("header \(name) is set by the handshake itself") }
            guard !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else {
                throw .invalidRequest("the value of header \(name) has a line break")
            }
            text += "\(name): \(value)\r\n"
        }
        text += "\r\n"
        guard !target.path.utf8.contains(where: { $0 <= 32 || $0 == 127 }) else { throw .invalidRequest("the path has spaces or control characters") }
        return Array(text.utf8)
    }

    /// Checks the server's answer: status 101, `Upgrade: websocket`, `Connection: Upgrade`, the
    /// `Sec-WebSocket-Accept` the key calls for, no extension (none was offered), and a subprotocol only if
    /// one was offered (`offeredProtocols`, from the request's `Sec-WebSocket-Protocol`).
    package static func validate(
        _ response: WebSocketHandshakeResponse, expectedAccept: String, offeredProtocols: [String] = []
    ) throws(WebSocketError) {
        let status = response.status
        guard status == 101 else {
            throw .handshakeFailed(status: status, message: "the server answered \(status) \(response.reason) instead of switching protocols")
        }
        guard response.hasToken("websocket", in: "Upgrade") else {
            throw .handshakeFailed(status: status, message: "no Upgrade: websocket header (got \(response.values("Upgrade")))")
        }
        guard response.hasToken("upgrade", in: "Connection") else {
            throw .handshakeFailed(status: status, message: "no Connection: Upgrade header (got \(response.values("Connection")))")
        }
        let accept = response.values("Sec-WebSocket-Accept")
        guard accept == [expectedAccept] else {
            throw .handshakeFailed(status: status, message: "Sec-WebSocket-Accept is \(accept), expected \(expectedAccept)")
        }
        let extensions = response.values("Sec-WebSocket-Extensions")
        guard extensions.isEmpty else {
            throw .handshakeFailed(status: status, message: "the server enabled extensions \(extensions) that were not offered")
        }
        let chosen = response.values("Sec-WebSocket-Protocol")
        guard chosen.isEmpty || (chosen.count == 1 && offeredProtocols.contains(chosen[0])) else {
            throw .handshakeFailed(status: status, message: "the server chose subprotocol \(chosen), offered \(offeredProtocols)")
        }
    }

    /// RFC 9110's `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
