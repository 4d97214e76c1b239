import Foundation
import Testing
@testable import FalRuntime

@Suite("server-sent events parser")
struct SSEParserTests {
    @Test("events split across arbitrary chunk boundaries parse the same")
    func chunkBoundaries() {
        let stream = "event: status\r\ndata: {\"a\":1}\r\n\r\n: comment\n\ndata: line1\ndata: line2\n\ndata:x"
        let bytes = Array(stream.utf8)
        for size in [1, 2, 3, 7, bytes.count] {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            var index = 0
            while index < bytes.count {
                events += parser.feed(Data(bytes[index..<min(index + size, bytes.count)]))
                index += size
            }
            events += parser.finish()
            #expect(events == [
                ServerSentEvent(event: "status", data: "{\"a\":1}"),
                ServerSentEvent(event: nil, data: "line1\nline2"),
                ServerSentEvent(event: nil, data: "x"),
            ], "chunk size \(size)")
        }
    }
}
