import Foundation

/// One server-sent event (`event:` name and the joined `data:` lines).
struct ServerSentEvent: Sendable, Equatable {
    var event: String?
    var data: String
}

/// Incremental `text/event-stream` parser: feed it chunks as they arrive, in any split.
///
/// Memory is bounded by `maximumLineBytes` (an unfinished line) and `maximumEventBytes` (the `data:` lines
/// of one event): a server sending a line without end, or data lines without the blank line that ends an
/// event, gets `FalError.transport(kind: .limit)` instead of the process's memory.
struct ServerSentEventParser {
    /// fal's events are status updates and partial outputs; even an image as a data URI fits easily.
    static let defaultMaximumEventBytes = 16 * 1024 * 1024

    let maximumLineBytes: Int
    let maximumEventBytes: Int
    /// The unfinished line carried over from earlier chunks, as the pieces that arrived: joined only once the
    /// line ends, so a line growing toward the limit is never copied into ever larger buffers (growing one
    /// array held the old and the new buffer at once: 24 MiB at the peak for a 16 MiB limit).
    private var partial: [[UInt8]] = []
    private var partialBytes = 0
    /// The previous chunk ended in CR: an LF starting the next chunk belongs to that line end.
    private var skipLineFeed = false
    private var event: String?
    private var dataLines: [String] = []
    private var dataBytes = 0

    init(maximumLineBytes: Int = defaultMaximumEventBytes, maximumEventBytes: Int = defaultMaximumEventBytes) {
        self.maximumLineBytes = maximumLineBytes
        self.maximumEventBytes = maximumEventBytes
    }

    mutating func feed(_ chunk: Data) throws(FalError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        var failure: FalError?
        chunk.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            do throws(FalError) { try scan(raw, into: &events) } catch { failure = error }
        }
        if let failure { throw failure }
        return events
    }

    private mutating func scan(_ raw: UnsafeRawBufferPointer, into events: inout [ServerSentEvent]) throws(FalError) {
        do {
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            if skipLineFeed, !bytes.isEmpty {
                skipLineFeed = false
                if bytes[0] == 0x0A { start = 1 }
            }
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                guard byte == 0x0A || byte == 0x0D else {
                    index += 1
                    continue
                }
                let piece = UnsafeBufferPointer(rebasing: bytes[start..<index])
                if partial.isEmpty {
                    try process(piece, into: &events)
                } else {
                    try append(piece)
                    let line = takePartial()
                    try line.withUnsafeBufferPointer { (line) throws(FalError) in try process(line, into: &events) }
                }
                index += 1
                if byte == 0x0D {
                    if index == bytes.count {
                        skipLineFeed = true
                    } else if bytes[index] == 0x0A {
                        index += 1
                    }
                }
                start = index
            }
            if start < bytes.count { try append(UnsafeBufferPointer(rebasing: bytes[start...])) }
        }
    }

    /// Dispatches a final event left without its blank line when the stream closed.
    mutating func finish() throws(FalError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        if !partial.isEmpty {
            let line = takePartial()
            try line.withUnsafeBufferPointer { (line) throws(FalError) in try process(line, into: &events) }
        }
        try process(UnsafeBufferPointer(start: nil, count: 0), into: &events)
        return events
    }

    private mutating func append(_ piece: UnsafeBufferPointer<UInt8>) throws(FalError) {
        guard partialBytes + piece.count <= maximumLineBytes else {
            partial = []
            partialBytes = 0
            throw FalError.transport(
                kind: .limit, message: "server-sent event line exceeds \(maximumLineBytes) bytes", code: 0)
        }
        guard !piece.isEmpty else { return }
        partial.append(Array(piece))
        partialBytes += piece.count
    }

    /// The unfinished line's pieces joined (one allocation of the exact size), and the carry-over emptied.
    private mutating func takePartial() -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(partialBytes)
        for piece in partial { line.append(contentsOf: piece) }
        partial = []
        partialBytes = 0
        return line
    }

    private mutating func process(_ line: UnsafeBufferPointer<UInt8>, into events: inout [ServerSentEvent]) throws(FalError) {
        if line.isEmpty {
            if !dataLines.isEmpty { events.append(ServerSentEvent(event: event, data: dataLines.joined(separator: "\n"))) }
            event = nil
            dataLines.removeAll()
            dataBytes = 0
            return
        }
        guard line.count <= maximumLineBytes else {
            throw FalError.transport(kind: .limit, message: "server-sent event line exceeds \(maximumLineBytes) bytes", code: 0)
        }
        if line[0] == UInt8(ascii: ":") { return }  // a comment (keep-alive)
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.count
        var valueStart = Swift.min(colon + 1, line.count)
        if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let field = UnsafeBufferPointer(rebasing: line[..<colon])
        let value = UnsafeBufferPointer(rebasing: line[valueStart...])
        if field.elementsEqual("data".utf8) {
            dataBytes += value.count + 1
            guard dataBytes <= maximumEventBytes else {
                dataLines.removeAll()
                dataBytes = 0
                throw FalError.transport(kind: .limit, message: "server-sent event exceeds \(maximumEventBytes) bytes", code: 0)
            }
            dataLines.append(String(decoding: value, as: UTF8.self))
        } else if field.elementsEqual("event".utf8) {
            event = String(decoding: value, as: UTF8.self)
        }
    }
}

/// The events of a streamed body, parsed as they are pulled: no task and no buffer between the body and
/// the consumer, so a slow consumer pauses the transfer (the body's bounded buffer) instead of queueing
/// events in memory. Ending iteration aborts the transfer.
struct ServerSentEventStream: AsyncSequence, Sendable {
    typealias Element = ServerSentEvent
    let body: HTTPBodyStream

    func makeAsyncIterator() -> Iterator { Iterator(body: body.makeAsyncIterator()) }

    struct Iterator: AsyncIteratorProtocol {
        var body: HTTPBodyStream.Iterator
        var parser = ServerSentEventParser()
        var pending: [ServerSentEvent] = []
        var next = 0
        var ended = false

        mutating func next() async throws -> ServerSentEvent? {
            while true {
                if next < pending.count {
                    defer { next += 1 }
                    return pending[next]
                }
                pending.removeAll(keepingCapacity: true)
                next = 0
                if ended { return nil }
                if let chunk = try await body.next() {
                    pending = try parser.feed(chunk)
                } else {
                    ended = true
                    pending = try parser.finish()
                }
            }
        }
    }
}

extension HTTPStreamingResponse {
    /// The body as server-sent events; stops (and aborts the transfer) when the consumer stops.
    var events: ServerSentEventStream { ServerSentEventStream(body: body) }
}
