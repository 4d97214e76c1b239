import FalCore
import Foundation
import HummingbirdWebSocket
import NIOCore
import NIOPosix
import Synchronization

/// One open realtime WebSocket, run as fal's realtime apps run theirs (`fal/realtime.py`): a reader takes
/// inputs off the socket into a bounded queue, a worker answers them in order, one at a time, after the
/// connection's latency; when no input came for the idle timeout, the worker finishes what is queued, sends
/// the `TIMEOUT` frame and closes normally.
///
/// Buffering follows fal's `deque(maxlen=max_buffering)`: at most `max_buffering` inputs wait (the one being
/// answered is not counted); a new input beyond that drops the oldest waiting one, silently, and counts it as
/// `dropped` (`GET /_emulator/realtime`). Without `max_buffering` up to 60 wait (the protocol's largest
/// value), and never more than `maxPendingBytes` of them in all.
///
/// Bad inputs are answered at once by the reader (`RealtimeFrames`), before any queued result, and the
/// connection stays usable. A token-authenticated connection whose token was revoked (`expire-tokens`) answers
/// its next input with `{"status": "error", "error": "Unauthorized"}` and closes normally; a token's own expiry
/// counts at the handshake only, so a client that refreshes its token keeps its socket.
final class RealtimeSession: Sendable {
    /// What the worker is told to do by the reader and the emulator's controls, ahead of queued inputs.
    enum Command: Sendable {
        case internalError(reason: String)
        case unauthorized
        case goingAway
    }

    /// How the connection ended, for `GET /_emulator/realtime`.
    enum Ending: String, Sendable {
        case client, timeout, internalError = "internal_error", unauthorized, dropped, shutdown
        /// A frame broke the protocol or the size limit; HummingbirdWebSocket closed with its code.
        case protocolError = "protocol_error"
    }

    struct Counters: Sendable {
        var received = 0
        var answered = 0
        var dropped = 0
        var rejected = 0
    }

    private struct State {
        var pending: [RealtimeInput] = []
        var pendingBytes = 0
        var lastInputAt = ContinuousClock.now
        var command: Command?
        var inboundEnded = false
        var counters = Counters()
        var ending: Ending?
    }

    static let defaultBuffering = 60
    static let maxPendingBytes = 64 << 20
    /// How long a client gets to answer the server's close frame before its socket is closed.
    static let closeGrace = Duration.seconds(2)

    let id: Int
    let plan: RealtimePlan
    let channel: any Channel
    let openedAt = Date()
    private let emulator: EmulatorState
    private let box = Mutex(State())
    private let wakeup = Wakeup()

    init(id: Int, plan: RealtimePlan, channel: any Channel, emulator: EmulatorState) {
        self.id = id
        self.plan = plan
        self.channel = channel
        self.emulator = emulator
    }

    var endpointID: String { plan.endpoint.id }
    var capacity: Int { plan.maxBuffering ?? Self.defaultBuffering }
    var counters: Counters { box.withLock { $0.counters } }
    var pendingCount: Int { box.withLock { $0.pending.count } }
    var ending: Ending? { box.withLock { $0.ending } }

    // MARK: Controls

    /// Queues a command for the worker (the first one given wins) and wakes it.
    func send(_ command: Command) {
        box.withLock { state in
            if state.command == nil { state.command = command }
        }
        wakeup.signal()
    }

    /// Wakes the worker to look at its controls again (a changed result delay).
    func wake() { wakeup.signal() }

    /// Closes the TCP connection at once, with no close frame: SO_LINGER 0 makes it a reset, as a crashed
    /// runner or a broken network path looks to the client.
    func dropAbruptly() {
        box.withLock { $0.ending = $0.ending ?? .dropped }
        let channel = self.channel
        Task {
            try? await (channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            try? await channel.close().get()
        }
    }

    // MARK: Running

    private enum Finished { case reader, worker, grace }

    /// Serves the connection until it ends. A reader error (a message over the size limit, a protocol error)
    /// is rethrown, so HummingbirdWebSocket closes with the matching code.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        do {
            try await serve(inbound: inbound, outbound: outbound)
        } catch {
            box.withLock { $0.ending = $0.ending ?? .protocolError }
            throw error
        }
        box.withLock { $0.ending = $0.ending ?? .client }
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        try await withThrowingTaskGroup(of: Finished.self) { group in
            group.addTask {
                defer { self.endInbound() }
                try await self.read(inbound, outbound)
                return .reader
            }
            group.addTask {
                await self.work(outbound)
                return .worker
            }
            var readerDone = false
            var workerDone = false
            while let finished = try await group.next() {
                switch finished {
                case .reader: readerDone = true
                case .worker:
                    workerDone = true
                    // The worker closed (timeout, error, …): the reader ends when the client answers the close.
                    if !readerDone {
                        group.addTask {
                            try? await Task.sleep(for: Self.closeGrace)
                            return .grace
                        }
                    }
                case .grace: group.cancelAll()
                }
                if readerDone && workerDone { group.cancelAll() }
            }
        }
    }

    private func endInbound() {
        box.withLock { $0.inboundEnded = true }
        wakeup.signal()
    }

    // MARK: Reader

    private func read(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        for try await message in inbound.messages(maxSize: emulator.configuration.realtimeMaxMessageBytes) {
            box.withLock { state in
                state.lastInputAt = .now
                state.counters.received += 1
            }
            switch message {
            case .text:
                await reject(RealtimeFrames.unreadableInput(
                    "inputs are MessagePack in binary frames; got a text frame", type: "binary_frame_required"), outbound)
            case .binary(let buffer):
                if case .token(let claims) = plan.credential, emulator.tokens.stillValid(claims) != nil {
                    send(.unauthorized)
                    continue
                }
                switch RealtimeInput.read(Data(buffer.readableBytesView), endpoint: plan.endpoint) {
                case .failure(let refusal): await reject(refusal.frame, outbound)
                case .success(let input): enqueue(input)
                }
            }
        }
    }

    private func reject(_ frame: String, _ outbound: WebSocketOutboundWriter) async {
        box.withLock { $0.counters.rejected += 1 }
        // Written by the reader, so the answer does not wait behind queued inputs (HummingbirdWebSocket
        // serialises writes, so frames never interleave). A failed write means the client is gone, which the
        // reader learns next.
        try? await outbound.write(.text(frame))
    }

    private func enqueue(_ input: RealtimeInput) {
        box.withLock { state in
            state.pending.append(input)
            state.pendingBytes += input.byteCount
            while state.pending.count > capacity || (state.pendingBytes > Self.maxPendingBytes && state.pending.count > 1) {
                let dropped = state.pending.removeFirst()
                state.pendingBytes -= dropped.byteCount
                state.counters.dropped += 1
            }
        }
        wakeup.signal()
    }

    // MARK: Worker

    private enum Step {
        case finish
        case command(Command)
        case answer(RealtimeInput)
        case idle(until: ContinuousClock.Instant)
        case timeout
    }

    private func nextStep() -> Step {
        let idleTimeout = emulator.configuration.realtimeIdleTimeout
        return box.withLock { state -> Step in
            if state.inboundEnded { return .finish }
            if let command = state.command {
                state.command = nil
                return .command(command)
            }
            if !state.pending.isEmpty {
                let input = state.pending.removeFirst()
                state.pendingBytes -= input.byteCount
                return .answer(input)
            }
            let deadline = state.lastInputAt + idleTimeout
            return ContinuousClock.now >= deadline ? .timeout : .idle(until: deadline)
        }
    }

    private func work(_ outbound: WebSocketOutboundWriter) async {
        var scratch = AnswerScratch()
        do {
            while !Task.isCancelled {
                switch nextStep() {
                case .finish:
                    return
                case .idle(let deadline):
                    await wakeup.wait(until: deadline)
                case .answer(let input):
                    try await answer(input, outbound, &scratch)
                case .timeout:
                    return try await close(.timeout, frame: RealtimeFrames.timeout, outbound)
                case .command(.internalError(let reason)):
                    return try await close(.internalError, frame: RealtimeFrames.internalError(reason), outbound)
                case .command(.unauthorized):
                    return try await close(.unauthorized, frame: RealtimeFrames.unauthorized, outbound)
                case .command(.goingAway):
                    // Marked ended once the frame is out: the emulator's stop waits for that.
                    try? await outbound.close(.goingAway, reason: "emulator stopping")
                    box.withLock { $0.ending = $0.ending ?? .shutdown }
                    return
                }
            }
        } catch {
            // The client went away (or the connection was dropped) while the worker wrote: nothing to answer.
        }
    }

    private func close(_ ending: Ending, frame: String, _ outbound: WebSocketOutboundWriter) async throws {
        box.withLock { $0.ending = $0.ending ?? ending }
        try await outbound.write(.text(frame))
        try await outbound.close(.normalClosure, reason: nil)
    }

    /// Waits the connection's latency (plus any delay set with `/_emulator/realtime/delay`), then sends the
    /// result and, every `realtimeTimingsEvery` results, fal's timings frame. A command or the end of the
    /// connection during the wait abandons the input (the command is handled next).
    private func answer(_ input: RealtimeInput, _ outbound: WebSocketOutboundWriter, _ scratch: inout AnswerScratch) async throws {
        let started = ContinuousClock.now
        let controls = emulator.controls
        let latency = plan.latencyMilliseconds ?? controls.realtimeLatencyMilliseconds
        // The delay is read again on every wake: changing it (the control wakes the session) applies to the
        // input being answered too, so a test can hold a result back and release it.
        var deadline: ContinuousClock.Instant {
            started + .milliseconds(latency + emulator.realtime.delayMilliseconds(for: endpointID))
        }
        while ContinuousClock.now < deadline {
            if box.withLock({ $0.command != nil || $0.inboundEnded }) || Task.isCancelled || emulator.isStopping {
                box.withLock { $0.counters.dropped += 1 }
                return
            }
            await wakeup.wait(until: deadline)
        }
        defer { scratch.dropIfLarge() }
        if let refusal = RealtimeOutput(state: emulator, endpoint: plan.endpoint).encode(input, into: &scratch.writer) {
            box.withLock { $0.counters.rejected += 1 }
            try await outbound.write(.text(refusal.frame))
        } else {
            try await outbound.write(.binary(scratch.frame()))
            let answered = box.withLock { state -> Int in
                state.counters.answered += 1
                return state.counters.answered
            }
            if controls.realtimeTimingsEvery > 0, answered % controls.realtimeTimingsEvery == 0 {
                try await outbound.write(.text(RealtimeFrames.timings(seconds: (ContinuousClock.now - started).inSeconds)))
            }
        }
    }
}

/// The worker's buffers, kept from one result to the next: results of one connection are about the same size,
/// so after the first they are written into memory already there (no growing, no fresh pages to fault in).
/// Buffers that grew over `keptBytes` (a large result, or one refused for passing the message limit) are not
/// kept, so an idle connection holds at most twice that.
private struct AnswerScratch {
    static let keptBytes = 4 << 20
    var writer = MessagePackWriter()
    private var buffer = ByteBuffer()

    /// The writer's bytes in the frame buffer. The buffer is reused when NIO has finished writing the last
    /// one (it is then the only reference); otherwise `clear()` gives a new one and the old is left to NIO.
    mutating func frame() -> ByteBuffer {
        buffer.clear(minimumCapacity: writer.bytes.count)
        buffer.writeBytes(writer.bytes)
        return buffer
    }

    /// After each input, whatever was answered: the one place that decides what is kept.
    mutating func dropIfLarge() {
        if writer.bytes.capacity > Self.keptBytes { writer = MessagePackWriter() }
        if buffer.capacity > Self.keptBytes { buffer = ByteBuffer() }
    }
}
