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
        (listener, port) = try LoopbackListener.open(backlog: 16)
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
