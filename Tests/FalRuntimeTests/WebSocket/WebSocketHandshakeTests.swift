import Foundation
import Testing
@testable import FalRuntime

@Suite("WebSocket handshake")
struct WebSocketHandshakeTests {
    @Test("Sec-WebSocket-Accept is RFC 6455's example for its example key")
    func acceptVector() {
        #expect(WebSocketHandshake.expectedAccept(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test("a key is 16 random bytes in base64")
    func keys() {
        let keys = (0..<32).map { _ in WebSocketHandshake.makeKey() }
        #expect(keys.allSatisfy { Data(base64Encoded: $0)?.count == 16 })
        #expect(Set(keys).count == keys.count)
    }

    @Test("URLs: ws and wss (and http, https), default ports left out of Host, IPv6 bracketed")
    func targets() throws {
        let plain = try WebSocketHandshake.target(URL(string: "ws://fal.run/app/realtime?fal_jwt_token=a%2Bb")!)
        #expect(!plain.secure && plain.host == "fal.run" && plain.port == 80 && plain.path == "/app/realtime?fal_jwt_token=a%2Bb")
        #expect(plain.hostHeader == "fal.run" && plain.httpURL == "http://fal.run:80/app/realtime?fal_jwt_token=a%2Bb")
        let secure = try WebSocketHandshake.target(URL(string: "wss://fal.run:8443")!)
        #expect(secure.secure && secure.port == 8443 && secure.path == "/" && secure.hostHeader == "fal.run:8443")
        #expect(try WebSocketHandshake.target(URL(string: "wss://fal.run:443/x")!).hostHeader == "fal.run")
        let v6 = try WebSocketHandshake.target(URL(string: "ws://[::1]:9000/")!)
        #expect(v6.host == "::1" && v6.hostHeader == "[::1]:9000" && v6.httpURL == "http://[::1]:9000/")
        #expect(throws: WebSocketError.self) { try WebSocketHandshake.target(URL(string: "ftp://fal.run/")!) }
        #expect(throws: WebSocketError.self) { try WebSocketHandshake.target(URL(string: "wss://user:pw@fal.run/")!) }
    }

    @Test("the Upgrade request: its lines, the caller's headers, and refusals of injected or reserved headers")
    func request() throws {
        let target = try WebSocketHandshake.target(URL(string: "wss://fal.run/app/realtime")!)
        let text = String(decoding: try WebSocketHandshake.request(target, key: "KEY", headers: [("User-Agent", "fal-swift")]), as: UTF8.self)
        #expect(text == "GET /app/realtime HTTP/1.1\r\nHost: fal.run\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: KEY\r\nSec-WebSocket-Version: 13\r\nUser-Agent: fal-swift\r\n\r\n")
        #expect(throws: WebSocketError.self) { try WebSocketHandshake.request(target, key: "K", headers: [("X", "a\r\nEvil: 1")]) }
        #expect(throws: WebSocketError.self) { try WebSocketHandshake.request(target, key: "K", headers: [("Bad Name", "a")]) }
        #expect(throws: WebSocketError.self) { try WebSocketHandshake.request(target, key: "K", headers: [("sec-websocket-key", "a")]) }
        #expect(throws: WebSocketError.self) { try WebSocketHandshake.request(target, key: "K", headers: [("Host", "elsewhere")]) }
    }

    static let answer = Array(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").utf8)

    static func read(_ chunks: [[UInt8]], limit: Int = 16 * 1024) throws -> (WebSocketHandshakeResponse?, [UInt8]) {
        var reader = WebSocketHandshakeReader(limit: limit)
        for (index, chunk) in chunks.enumerated() {
            let result = try chunk.withUnsafeBytes { bytes -> (WebSocketHandshakeResponse, [UInt8])? in
                var offset = 0
                guard let head = try reader.next(in: bytes, at: &offset) else { return nil }
                return (head, Array(bytes[offset...]) + chunks[(index + 1)...].flatMap { $0 })
            }
            if let result { return result }
        }
        return (nil, [])
    }

    @Test("the answer's head is read split at every byte, and the bytes after it are kept (the first frames)")
    func readerSplits() throws {
        let frames = serverFrame(0x1, Array("early".utf8))
        let stream = Self.answer + frames
        for cut in 0...stream.count {
            let (head, rest) = try Self.read([Array(stream[..<cut]), Array(stream[cut...])])
            #expect(head?.status == 101 && rest == frames, "split at \(cut)")
        }
        let (head, _) = try Self.read([Self.answer])
        let response = try #require(head)
        try WebSocketHandshake.validate(response, expectedAccept: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test("a head over the limit, or not HTTP, is refused")
    func readerLimits() {
        let endless = Array("HTTP/1.1 101 OK\r\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: 20_000)
        #expect(throws: WebSocketError.handshakeFailed(status: 101, message: "the response head is over 16384 bytes")) {
            try Self.read([endless])
        }
        #expect { try Self.read([Array("SSH-2.0-OpenSSH\r\n\r\n".utf8)]) } throws: { error in
            guard case .handshakeFailed(0, let message) = error as? WebSocketError else { return false }
            return message.contains("did not answer with HTTP")
        }
    }

    @Test("validation refuses a non-101 status (saying which), missing Upgrade or Connection, a wrong accept, extensions")
    func validation() throws {
        func head(_ text: String) throws -> WebSocketHandshakeResponse {
            try #require(try Self.read([Array((text + "\r\n\r\n").utf8)]).0)
        }
        let accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        let good = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: \(accept)"
        try WebSocketHandshake.validate(try head(good), expectedAccept: accept)
        let cases: [(String, Int, String)] = [
            ("HTTP/1.1 200 OK\r\nContent-Length: 0", 200, "answered 200 OK instead of switching protocols"),
            ("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)", 101, "no Upgrade: websocket"),
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: \(accept)", 101, "no Connection: Upgrade"),
            (good.replacingOccurrences(of: accept, with: "wrong="), 101, "Sec-WebSocket-Accept is"),
            (good + "\r\nSec-WebSocket-Extensions: permessage-deflate", 101, "extensions"),
            (good + "\r\nSec-WebSocket-Protocol: chat", 101, "subprotocol"),
        ]
        for (text, status, phrase) in cases {
            #expect { try WebSocketHandshake.validate(try head(text), expectedAccept: accept) } throws: { error in
                guard case .handshakeFailed(let got, let message) = error as? WebSocketError else { return false }
                return got == status && message.contains(phrase)
            }
        }
        #expect(WebSocketError.handshakeFailed(status: 200, message: "x").description == "WebSocket handshake failed: HTTP 200 (expected 101): x")
    }
}
