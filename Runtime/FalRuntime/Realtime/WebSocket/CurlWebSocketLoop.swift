#if canImport(CCurlShim)
import CCurl
import CCurlShim
import Foundation

extension CurlWebSocketSession {
    /// Moves frames until the connection ends; returns how it ended (nil: an orderly close).
    func runLoop(initial: [UInt8]) -> WebSocketError? {
        let loop = CurlWebSocketLoop(session: self)
        return loop.run(initial: initial)
    }
}

/// The open connection's loop, on the I/O thread: writes queued frames (a pending pong and the close frame
/// go between them, never inside one), reads while the consumer keeps up, and runs the closing handshake.
///
/// Bounds: output waits at most `sendTimeout` for the server to read; every closing phase ends within
/// `closeTimeout`; a ping flood keeps one pong pending (only the latest ping is answered); reading stops
/// while the inbox is full, so a fast server is held back by TCP, not by memory.
final class CurlWebSocketLoop {
    private enum Phase {
        /// Messages flow both ways.
        case open
        /// The caller asked to close: queued frames, then the close frame, then wait for the server's.
        case closingByClient
        /// The server's close frame arrived: it is echoed, then the server is given time to close first.
        case closingByServer(WebSocketCloseFrame)
        /// The server broke the protocol: send a close frame with the error's code, then close.
        case failing(WebSocketProtocolError)
    }

    /// What is being written: a caller's frame (counted in the send buffer), a pong, or the close frame.
    private enum Output { case data, pong, close }

    private let session: CurlWebSocketSession
    private let shared: CurlWebSocketShared
    private let handle: UnsafeMutableRawPointer
    private let request: WebSocketRequest
    private var phase = Phase.open
    private var deadline: ContinuousClock.Instant?
    private var closeFrame: Data?
    private var closeSent = false
    private var pendingPong: Data?
    private var writing: Data?
    private var writingKind = Output.data
    private var written = 0
    private var lastWriteProgress = ContinuousClock.now
    private var endOfStream = false
    /// The last `read()` stopped at its cap, not at CURLE_AGAIN: read again before waiting.
    private var readMayHaveMore = false

    init(session: CurlWebSocketSession) {
        self.session = session
        self.shared = session.shared
        self.handle = session.handle!
        self.request = session.request
    }

    func run(initial: [UInt8]) -> WebSocketError? {
        if !initial.isEmpty { initial.withUnsafeBytes { process($0) } }
        while true {
            if case .open = phase, let close = shared.closeRequest {
                phase = .closingByClient
                deadline = .now + request.closeTimeout
                closeFrame = WebSocketFrameEncoder.closeFrame(close)
            }
            if let failure = write() { return failure }
            if let failure = read() { return failure }
            if let outcome = settle() { return outcome }
            let wantWrite = hasOutput
            let wait = readMayHaveMore && wantsRead ? 0 : waitMilliseconds(wantWrite)
            let mask = fal_ws_wait(session.socket, wantsRead ? 1 : 0, wantWrite ? 1 : 0, shared.waker.readDescriptor, wait)
            if mask < 0 { return .connectionLost("poll failed: \(String(cString: strerror(errno)))") }
        }
    }

    // MARK: Writing

    private var mayAnswerPings: Bool {
        switch phase {
        case .open, .closingByClient: !closeSent
        default: false
        }
    }

    private var hasOutput: Bool {
        if writing != nil || closeFrame != nil { return true }
        if pendingPong != nil && mayAnswerPings { return true }
        switch phase {
        case .open, .closingByClient: return shared.hasQueuedFrames
        default: return false
        }
    }

    /// The next frame to write: a pong first, then the callers' frames, then the close frame (after the
    /// queue emptied when the caller closes).
    private func nextOutput() -> (Data, Output)? {
        if let pong = pendingPong, mayAnswerPings {
            pendingPong = nil
            return (WebSocketFrameEncoder.frame(.pong, payload: pong), .pong)
        }
        switch phase {
        case .open:
            return shared.takeFrame().map { ($0, .data) }
        case .closingByClient:
            if let frame = shared.takeFrame() { return (frame, .data) }
        default:
            break
        }
        if let close = closeFrame {
            closeFrame = nil
            return (close, .close)
        }
        return nil
    }

    /// Writes until the socket is full or nothing is left; a failure to write ends the connection.
    private func write() -> WebSocketError? {
        while true {
            if writing == nil {
                guard let (frame, kind) = nextOutput() else { return nil }
                writing = frame
                writingKind = kind
                written = 0
                lastWriteProgress = .now  // the send timeout counts from here (the socket may have been idle long)
            }
            guard let frame = writing else { return nil }
            var count = 0
            let code = frame.withUnsafeBytes { bytes in
                curl_easy_send(handle, bytes.baseAddress! + written, bytes.count - written, &count)
            }
            if code == CURLE_AGAIN { return nil }
            guard code == CURLE_OK else {
                if case .open = phase { return lost("sending: \(session.curlMessage(code))") }
                // Closing anyway: the server went first; nothing more can be written.
                writing = nil
                closeFrame = nil
                endOfStream = true
                return nil
            }
            if count > 0 { lastWriteProgress = .now }
            written += count
            if written == frame.count {
                writing = nil
                switch writingKind {
                case .data: shared.frameWritten(frame.count)
                case .close:
                    closeSent = true
                    if case .failing = phase { _ = fal_ws_shutdown_write(session.socket) }
                case .pong: break
                }
            }
        }
    }

    // MARK: Reading

    private var wantsRead: Bool {
        if endOfStream { return false }
        switch phase {
        case .open: return shared.inbox.hasRoom
        case .closingByClient: return !assembler.receivedClose
        case .closingByServer: return true  // only to see the server close the socket
        case .failing: return closeSent  // draining until the server closes (see `fail`)
        }
    }

    private var assembler: WebSocketMessageAssembler {
        get { session.assembler }
        set { session.assembler = newValue }
    }

    /// Reads what is there (a few buffers' worth, so writing gets its turn) while reading is wanted.
    /// Stopping at that cap leaves `readMayHaveMore` set: with TLS read-ahead (`fal_ws_enable_tls_read_ahead`)
    /// the rest may already sit decrypted inside OpenSSL, where polling the socket would not see it.
    private func read() -> WebSocketError? {
        var reads = 0
        readMayHaveMore = false
        while wantsRead {
            guard reads < 16 else {
                readMayHaveMore = true
                return nil
            }
            reads += 1
            var count = 0
            let code = curl_easy_recv(handle, session.readBuffer.baseAddress, session.readBuffer.count, &count)
            if code == CURLE_AGAIN { return nil }
            guard code == CURLE_OK else {
                if case .open = phase { return lost("receiving: \(session.curlMessage(code))") }
                endOfStream = true  // closing anyway: a reset now is the end we were waiting for
                return nil
            }
            if count == 0 {
                endOfStream = true
                return nil
            }
            if case .failing = phase { continue }  // discarded
            process(UnsafeRawBufferPointer(rebasing: session.readBuffer[0..<count]))
        }
        return nil
    }

    /// Hands the bytes to the assembler and acts on what it finds.
    private func process(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        do throws(WebSocketProtocolError) {
            while let event = try session.assembler.next(in: bytes, at: &offset) {
                switch event {
                case .message(let message):
                    switch phase {
                    case .open: shared.inbox.push(message)
                    case .closingByClient where shared.inbox.hasRoom: shared.inbox.push(message)
                    default: break  // closing and the consumer is behind: dropped
                    }
                case .ping(let payload):
                    if mayAnswerPings { pendingPong = payload }  // only the latest ping needs its pong
                case .pong:
                    break
                case .close(let close):
                    shared.setServerClose(close)
                    if case .open = phase {
                        phase = .closingByServer(close)
                        deadline = .now + request.closeTimeout
                        pendingPong = nil
                        shared.stopAccepting()
                        // Echo the code (none if there was none); the connection then belongs to the server to close.
                        closeFrame = WebSocketFrameEncoder.closeFrame(WebSocketCloseFrame(code: close.code))
                    }
                }
            }
        } catch {
            fail(error)
        }
    }

    /// A protocol violation: the consumer gets the error at once; the close frame with its code replaces
    /// anything not yet begun. Once it is sent, the socket is half-closed and what the server still sends is
    /// read and discarded until it closes (or `closeTimeout`): closing with unread bytes would make the kernel
    /// answer with a reset, and a reset can make the server lose the close frame before reading it.
    private func fail(_ error: WebSocketProtocolError) {
        if case .failing = phase { return }
        phase = .failing(error)
        shared.inbox.finish(WebSocketError.protocolViolation(error))
        deadline = .now + request.closeTimeout
        pendingPong = nil
        shared.stopAccepting()
        if closeSent {
            _ = fal_ws_shutdown_write(session.socket)
        } else {
            let reason = String(error.message.prefix(100))
            closeFrame = WebSocketFrameEncoder.closeFrame(WebSocketCloseFrame(code: error.closeCode, reason: reason))
        }
        if writing != nil && written == 0 { writing = nil }  // a frame not begun is dropped, a begun one finished
    }

    // MARK: Ending

    /// How the connection ended, once it did; nil while it goes on.
    private func settle() -> WebSocketError?? {
        let now = ContinuousClock.now
        let expired = deadline.map { now >= $0 } ?? false
        switch phase {
        case .open:
            if endOfStream { return .some(.connectionLost("the server closed the connection without a close frame")) }
            if hasOutput && lastWriteProgress.duration(to: now) >= request.sendTimeout {
                return .some(.timedOut("the server read nothing for \(request.sendTimeout) while \(shared.queuedBytes) bytes waited to be sent"))
            }
            return nil
        case .closingByClient:
            if (closeSent && assembler.receivedClose) || endOfStream || expired { return .some(nil) }
            return nil
        case .closingByServer(let close):
            guard (endOfStream && !hasOutput) || expired else { return nil }
            return .some(close.code == WebSocketCloseFrame.normalClosure ? nil : .closedByServer(close))
        case .failing(let error):
            if endOfStream || expired { return .some(.protocolViolation(error)) }
            return nil
        }
    }

    private func lost(_ message: String) -> WebSocketError {
        .connectionLost(message)
    }

    /// How long to wait for the socket: until the nearest deadline (close, send stall), at most a second.
    private func waitMilliseconds(_ wantWrite: Bool) -> Int32 {
        var wait = Duration.seconds(1)
        let now = ContinuousClock.now
        if let deadline { wait = min(wait, now.duration(to: deadline)) }
        if case .open = phase, wantWrite { wait = min(wait, now.duration(to: lastWriteProgress + request.sendTimeout)) }
        return Int32(clamping: max(0, wait.wholeMilliseconds) + (wait > .zero ? 1 : 0))
    }
}
#endif
