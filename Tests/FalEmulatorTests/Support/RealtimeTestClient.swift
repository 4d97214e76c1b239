import Crypto
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A small WebSocket client for the realtime tests, written from RFC 6455 over a bare NIO socket: the
/// emulator's server is HummingbirdWebSocket's, so this client shares no framing code with it. It sees
/// everything a test asserts on: the handshake's status and body when refused, each frame as sent (text,
/// binary, close code and reason), and whether the server closed without a close frame.
///
/// Every wait is bounded: `receive` and the handshake throw `FixtureError` at their timeout.
final class RealtimeTestClient: Sendable {
    enum Frame: Sendable, Equatable {
        case text(String)
        case binary(Data)
        case close(code: UInt16?, reason: String)
        /// The TCP connection ended with no close frame.
        case ended
    }

    enum Handshake: Sendable {
        case upgraded(RealtimeTestClient)
        case refused(status: Int, body: String)
    }

    /// Bytes received and not yet parsed, and whether the server closed the connection.
    private final class Inbox: Sendable {
        let state = Mutex((bytes: Data(), ended: false))
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let inbox: Inbox
        init(_ inbox: Inbox) { self.inbox = inbox }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            inbox.state.withLock { $0.bytes.append(contentsOf: buffer.readableBytesView) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            inbox.state.withLock { $0.ended = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    private let channel: any Channel
    private let inbox: Inbox

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    /// Opens `url` (`ws://127.0.0.1:PORT/path?query`) with the handshake's extra `headers`.
    static func connect(_ url: String, headers: [String: String] = [:], timeout: Duration = .seconds(10)) async throws -> Handshake {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port else {
            throw FixtureError("not a ws:// URL: \(url)")
        }
        let target = components.percentEncodedPath + (components.percentEncodedQuery.map { "?\($0)" } ?? "")
        let inbox = Inbox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(inbox)) }
            }
            .connect(host: host, port: port).get()
        let client = RealtimeTestClient(channel: channel, inbox: inbox)
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        var request = "GET \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        try await channel.writeAndFlush(ByteBuffer(string: request + "\r\n")).get()

        let deadline = ContinuousClock.now + timeout
        let head = try await client.waitFor(deadline) { bytes, _ in
            bytes.range(of: Data("\r\n\r\n".utf8)).map { bytes.startIndex..<$0.upperBound }
        }
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if status == 101 {
            let expected = Data(Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
            guard fields["sec-websocket-accept"] == expected else {
                try? await channel.close().get()
                throw FixtureError("101 with a wrong Sec-WebSocket-Accept: \(fields)")
            }
            return .upgraded(client)
        }
        // A refusal: its body (Content-Length, or up to the close).
        let length = fields["content-length"].flatMap { Int($0) }
        let body = try await client.waitFor(deadline) { bytes, ended in
            if let length { return bytes.count >= length ? bytes.startIndex..<(bytes.startIndex + length) : nil }
            return ended ? bytes.startIndex..<bytes.endIndex : nil
        }
        try? await channel.close().get()
        return .refused(status: status, body: String(decoding: body, as: UTF8.self))
    }

    /// Connects and requires the upgrade.
    static func open(_ url: String, headers: [String: String] = [:]) async throws -> RealtimeTestClient {
        switch try await connect(url, headers: headers) {
        case .upgraded(let client): return client
        case .refused(let status, let body): throw FixtureError("handshake refused with \(status): \(body)")
        }
    }

    // MARK: Sending (client frames are masked)

    func send(binary data: Data) async throws { try await send(opcode: 0x2, payload: data) }
    func send(text: String) async throws { try await send(opcode: 0x1, payload: Data(text.utf8)) }

    func sendClose(code: UInt16 = 1000) async throws {
        try await send(opcode: 0x8, payload: Data([UInt8(code >> 8), UInt8(code & 0xff)]))
    }

    func close() async { try? await channel.close().get() }

    private func send(opcode: UInt8, payload: Data) async throws {
        var frame = Data([0x80 | opcode])
        switch payload.count {
        case ..<126: frame.append(0x80 | UInt8(payload.count))
        case ..<65_536: frame.append(contentsOf: [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)])
        default:
            frame.append(0x80 | 127)
            frame.append(contentsOf: (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (8 * UInt64($0))) & 0xff) })
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame.append(contentsOf: mask)
        frame.append(contentsOf: payload.enumerated().map { $0.element ^ mask[$0.offset % 4] })
        try await channel.writeAndFlush(ByteBuffer(bytes: frame)).get()
    }

    // MARK: Receiving

    /// The next data or close frame (pings are answered, pongs skipped), or `.ended`.
    func receive(timeout: Duration = .seconds(10)) async throws -> Frame {
        let deadline = ContinuousClock.now + timeout
        while true {
            var frame: (opcode: UInt8, payload: Data)?
            var ended = false
            _ = try await waitFor(deadline) { bytes, isEnded in
                if let (parsed, used) = Self.parseFrame(bytes) {
                    frame = parsed
                    return bytes.startIndex..<(bytes.startIndex + used)
                }
                ended = isEnded
                return isEnded ? bytes.startIndex..<bytes.startIndex : nil
            }
            guard let frame else {
                if ended { return .ended }
                continue
            }
            switch frame.opcode {
            case 0x1: return .text(String(decoding: frame.payload, as: UTF8.self))
            case 0x2: return .binary(frame.payload)
            case 0x8:
                let code = frame.payload.count >= 2 ? UInt16(frame.payload[frame.payload.startIndex]) << 8 | UInt16(frame.payload[frame.payload.startIndex + 1]) : nil
                return .close(code: code, reason: String(decoding: frame.payload.dropFirst(2), as: UTF8.self))
            case 0x9: try? await send(opcode: 0xA, payload: frame.payload)
            default: continue
            }
        }
    }

    /// Waits (bounded) until `take` finds what it needs in the unparsed bytes; removes and returns that range.
    private func waitFor(_ deadline: ContinuousClock.Instant, _ take: (Data, Bool) -> Range<Data.Index>?) async throws -> Data {
        while true {
            let found = inbox.state.withLock { state -> Data? in
                guard let range = take(state.bytes, state.ended) else { return nil }
                let taken = state.bytes.subdata(in: range)
                state.bytes.removeSubrange(range)
                state.bytes = Data(state.bytes)  // rebase indices at 0
                return taken
            }
            if let found { return found }
            if ContinuousClock.now > deadline { throw FixtureError("no WebSocket data within the timeout") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// One unmasked server frame at the start of `bytes` (final frames only: the emulator sends no fragments
    /// at these sizes), and the bytes it took.
    private static func parseFrame(_ bytes: Data) -> ((opcode: UInt8, payload: Data), Int)? {
        let data = [UInt8](bytes.prefix(14))
        guard data.count >= 2 else { return nil }
        var length = Int(data[1] & 0x7f)
        var offset = 2
        if length == 126 {
            guard data.count >= 4 else { return nil }
            length = Int(data[2]) << 8 | Int(data[3])
            offset = 4
        } else if length == 127 {
            guard data.count >= 10 else { return nil }
            length = data[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard bytes.count >= offset + length else { return nil }
        let start = bytes.startIndex + offset
        return ((opcode: data[0] & 0x0f, payload: Data(bytes[start..<(start + length)])), offset + length)
    }
}
