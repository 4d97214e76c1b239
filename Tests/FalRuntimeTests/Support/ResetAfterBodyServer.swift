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
/// a submit certainly reached the server and the client cannot know it.
///
/// With `answeringGETs`, every GET is answered (a queue status, keep-alive) on the same connection, and only
/// other requests are reset: a client that asks for a status and then submits does so on a reused
/// connection, the case where libcurl (and URLSession's) quietly send a request again on a new connection.
final class ResetAfterBodyServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let answersGETs: Bool
    private let received = Atomic<Int>(0)
    private let gets = Atomic<Int>(0)
    private let connections = Atomic<Int>(0)
    private let reused = Atomic<Int>(0)
    /// Requests other than GETs whose whole body arrived.
    var requestsReceived: Int { received.load(ordering: .relaxed) }
    /// GETs answered.
    var getsAnswered: Int { gets.load(ordering: .relaxed) }
    /// Connections accepted.
    var connectionsAccepted: Int { connections.load(ordering: .relaxed) }
    /// Requests (not GETs) that arrived whole on a connection that had already carried an answered GET.
    var requestsOnReusedConnections: Int { reused.load(ordering: .relaxed) }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(answeringGETs: Bool = false) throws {
        answersGETs = answeringGETs
        (listener, port) = try LoopbackListener.open(backlog: 16)
        Thread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                connections.add(1, ordering: .relaxed)
                Thread { [self] in serve(connection) }.start()
            }
        }.start()
    }

    private func serve(_ connection: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var pending = [UInt8]()
        var answeredHere = 0
        serving: while true {
            // Handle every whole request already buffered before reading more.
            while let end = pending.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self).lowercased()
                let lengthLine = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                let length = lengthLine.flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                let expected = end.upperBound + length
                guard pending.count >= expected else { break }
                guard answersGETs, head.hasPrefix("get ") else {
                    received.add(1, ordering: .relaxed)
                    if answeredHere > 0 { reused.add(1, ordering: .relaxed) }
                    break serving
                }
                gets.add(1, ordering: .relaxed)
                answeredHere += 1
                let body = #"{"status":"IN_QUEUE","queue_position":3}"#
                let answer = Array(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" +
                    "x-fal-request-id: r\r\nConnection: keep-alive\r\n\r\n" + body).utf8)
                _ = answer.withUnsafeBufferPointer { write(connection, $0.baseAddress, $0.count) }
                pending.removeFirst(expected)
            }
            var ready = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 10_000) == 1 else { break }  // bounded: a silent client is dropped after 10 s
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { break }
            pending += buffer[..<count]
        }
        var reset = linger(l_onoff: 1, l_linger: 0)  // close with RST, not FIN
        _ = setsockopt(connection, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
        close(connection)
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
}
