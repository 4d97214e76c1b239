import Foundation

/// The head of the server's answer to the opening handshake, and the reader that collects it.
package struct WebSocketHandshakeResponse: Sendable, Equatable {
    /// The status code (101 to switch protocols).
    package var status: Int
    /// The reason phrase after the status code.
    package var reason: String
    /// Header fields in order, names as sent.
    package var headers: [(name: String, value: String)]

    /// A response head with `status`, `reason` and `headers`.
    package init(status: Int, reason: String, headers: [(name: String, value: String)]) {
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// Every value of the header `name` (case-insensitive), in order.
    package func values(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// Whether some value of header `name`, as a comma-separated list, holds `token` (case-insensitive).
    package func hasToken(_ token: String, in name: String) -> Bool {
        values(name).contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(token) == .orderedSame }
        }
    }

    /// Equal status, reason, and header fields in the same order.
    package static func == (left: Self, right: Self) -> Bool {
        left.status == right.status && left.reason == right.reason
            && left.headers.map(\.name) == right.headers.map(\.name) && left.headers.map(\.value) == right.headers.map(\.value)
    }
}

/// Collects the response head of the opening handshake from bytes in any chunks, up to the blank line,
/// refusing a head over `limit` bytes (16 KiB by default). The bytes after the head are WebSocket frames.
package struct WebSocketHandshakeReader: Sendable {
    /// The most head bytes read before giving up.
    package let limit: Int
    private var head: [UInt8] = []

    /// A reader refusing heads over `limit` bytes.
    package init(limit: Int = 16 * 1024) {
        self.limit = limit
        head.reserveCapacity(1024)
    }

    /// Reads from `bytes` at `offset` (advancing it) up to the end of the head: the head once complete
    /// (`offset` then points at the first byte after it), nil when more bytes are needed.
    package mutating func next(in bytes: UnsafeRawBufferPointer, at offset: inout Int) throws(WebSocketError) -> WebSocketHandshakeResponse? {
        while offset < bytes.count {
            head.append(bytes[offset])
            offset += 1
            if head.count >= 4, head[head.count - 4] == 13, head[head.count - 3] == 10, head[head.count - 2] == 13, head[head.count - 1] == 10 {
                return try Self.parse(head.dropLast(4))
            }
            if head.count >= limit {
                let statusLine = head.prefix { $0 != 13 && $0 != 10 }
                let status = (try? Self.parse(statusLine).status) ?? 0
                throw .handshakeFailed(status: status, message: "the response head is over \(limit) bytes")
            }
        }
        return nil
    }

    /// A head's status line and header fields (lines end in CRLF; obsolete line folding is refused).
    private static func parse(_ bytes: ArraySlice<UInt8>) throws(WebSocketError) -> WebSocketHandshakeResponse {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            throw .handshakeFailed(status: 0, message: "the server did not answer with HTTP: \(statusLine.prefix(80).debugDescription)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix(" "), !line.hasPrefix("\t") else {
                throw .handshakeFailed(status: status, message: "a malformed header line: \(line.prefix(80).debugDescription)")
            }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return WebSocketHandshakeResponse(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers)
    }
}
