import Foundation
import Synchronization
@testable import FalRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server on a fresh 127.0.0.1 port that reads each request whole (head and `Content-Length`
/// body), counts it as received, and resets the connection (RST) without answering a byte: the case where
/// a submit certainly reached the server and the client cannot know it. A fresh port means a fresh
/// connection, so libcurl's own resend of a request on a stale reused connection cannot play a part.
final class ResetAfterBodyServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let received = Atomic<Int>(0)
    /// Requests whose whole body arrived.
    var requestsReceived: Int { received.load(ordering: .relaxed) }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() throws {
        #if canImport(Glibc)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)  // an enum in Glibc
        #else
        let listener = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard listener >= 0, bound else { throw TransportFailure(kind: .other, code: -1, message: "test server cannot listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                Thread { [self] in serve(connection) }.start()
            }
        }.start()
    }

    private func serve(_ connection: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var pending = [UInt8]()
        var expected: Int?
        while true {
            var ready = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 10_000) == 1 else { break }  // bounded: a silent client is dropped after 10 s
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { break }
            pending += buffer[..<count]
            if expected == nil, let end = pending.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self).lowercased()
                let lengthLine = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                let length = lengthLine.flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                expected = end.upperBound + length
            }
            if let expected, pending.count >= expected {
                received.add(1, ordering: .relaxed)
                break
            }
        }
        var reset = linger(l_onoff: 1, l_linger: 0)  // close with RST, not FIN
        _ = setsockopt(connection, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
        close(connection)
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
}
