import Foundation

/// One server-sent event (`event:` name and the joined `data:` lines).
struct ServerSentEvent: Sendable, Equatable {
    var event: String?
    var data: String
}

/// Incremental `text/event-stream` parser: feed it chunks as they arrive, in any split.
struct ServerSentEventParser {
    private var buffer = Data()
    private var event: String?
    private var dataLines: [String] = []

    mutating func feed(_ chunk: Data) -> [ServerSentEvent] {
        buffer.append(chunk)
        var events: [ServerSentEvent] = []
        while let newline = buffer.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) {
            var line = buffer[buffer.startIndex..<newline]
            var next = buffer.index(after: newline)
            if buffer[newline] == 0x0D {
                // A lone CR at the end of a chunk may be half of CRLF: wait for the next byte.
                if next == buffer.endIndex { break }
                if buffer[next] == 0x0A { next = buffer.index(after: next) }
            }
            if line.last == 0x0D { line = line.dropLast() }
            process(String(decoding: line, as: UTF8.self), into: &events)
            buffer = Data(buffer[next...])
        }
        return events
    }

    /// Dispatches a final event left without its blank line when the stream closed.
    mutating func finish() -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        if !buffer.isEmpty { process(String(decoding: buffer, as: UTF8.self), into: &events) }
        buffer.removeAll()
        process("", into: &events)
        return events
    }

    private mutating func process(_ line: String, into events: inout [ServerSentEvent]) {
        if line.isEmpty {
            if !dataLines.isEmpty { events.append(ServerSentEvent(event: event, data: dataLines.joined(separator: "\n"))) }
            event = nil
            dataLines.removeAll()
            return
        }
        if line.hasPrefix(":") { return }
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = Substring(line)
            value = ""
        }
        switch field {
        case "data": dataLines.append(String(value))
        case "event": event = String(value)
        default: break
        }
    }
}

extension HTTPStreamingResponse {
    /// The body as server-sent events; stops (and aborts the transfer) when the consumer stops.
    var events: AsyncThrowingStream<ServerSentEvent, any Error> {
        let body = self.body
        return AsyncThrowingStream { continuation in
            let task = Task {
                var parser = ServerSentEventParser()
                do {
                    for try await chunk in body {
                        for event in parser.feed(chunk) { continuation.yield(event) }
                    }
                    for event in parser.finish() { continuation.yield(event) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
