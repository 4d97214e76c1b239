import Foundation
import Testing
@testable import FalRuntime

@Suite("server-sent events parser")
struct SSEParserTests {
    @Test("events split across arbitrary chunk boundaries parse the same")
    func chunkBoundaries() throws {
        let stream = "event: status\r\ndata: {\"a\":1}\r\n\r\n: comment\n\ndata: line1\ndata: line2\n\ndata:x"
        let bytes = Array(stream.utf8)
        for size in [1, 2, 3, 7, bytes.count] {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            var index = 0
            while index < bytes.count {
                events += try parser.feed(Data(bytes[index..<min(index + size, bytes.count)]))
                index += size
            }
            events += try parser.finish()
            #expect(events == [
                ServerSentEvent(event: "status", data: "{\"a\":1}"),
                ServerSentEvent(event: nil, data: "line1\nline2"),
                ServerSentEvent(event: nil, data: "x"),
            ], "chunk size \(size)")
        }
    }

    @Test("a line longer than the cap fails with .limit, whether it comes in one chunk or many")
    func lineCap() throws {
        for pieces in [1, 64] {
            var parser = ServerSentEventParser(maximumLineBytes: 1024, maximumEventBytes: 4096)
            let line = Data(("data: " + String(repeating: "a", count: 2000)).utf8)
            var failure: FalError?
            let size = (line.count + pieces - 1) / pieces
            for start in stride(from: 0, to: line.count, by: size) {
                do { _ = try parser.feed(line[start..<min(start + size, line.count)]) } catch { failure = error; break }
            }
            guard case .transport(.limit, _, _)? = failure else {
                Issue.record("expected a limit failure, got \(String(describing: failure))")
                continue
            }
        }
    }

    @Test("data lines adding up past the event cap fail with .limit")
    func eventCap() throws {
        var parser = ServerSentEventParser(maximumLineBytes: 1024, maximumEventBytes: 4096)
        let lines = Data(String(repeating: "data: " + String(repeating: "b", count: 500) + "\n", count: 20).utf8)
        #expect(throws: FalError.transport(kind: .limit, message: "server-sent event exceeds 4096 bytes", code: 0)) {
            _ = try parser.feed(lines)
        }
    }

    @Test("many events in one chunk, and lines just under the cap, parse")
    func manyEventsAndLongLines() throws {
        var parser = ServerSentEventParser(maximumLineBytes: 1024, maximumEventBytes: 4096)
        let text = String(repeating: "data: x\n\n", count: 10_000) + "data: " + String(repeating: "c", count: 1000) + "\n\n"
        let events = try parser.feed(Data(text.utf8))
        #expect(events.count == 10_001)
        #expect(events.last?.data.count == 1000)
    }
}
