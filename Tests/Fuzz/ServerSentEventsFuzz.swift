// libFuzzer target: the runtime's `text/event-stream` parser (`ServerSentEventParser`), fed bytes from the
// network in whatever chunks they arrive. Built by scripts/fuzz.sh with the parser's source.
// Beyond "never traps", it checks that the events do not depend on how the stream was split: the first
// input byte picks a chunk size, and the events must equal those of the same bytes fed in one piece.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServerSentEvents(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let chunkSize = Int(bytes[0] % 16) + 1
    let stream = Data(bytes: bytes + 1, count: count - 1)

    var whole = ServerSentEventParser()
    let expected = whole.feed(stream) + whole.finish()

    var split = ServerSentEventParser()
    var events: [ServerSentEvent] = []
    var offset = 0
    while offset < stream.count {
        let end = min(offset + chunkSize, stream.count)
        events += split.feed(stream.subdata(in: offset..<end))
        offset = end
    }
    events += split.finish()
    if events != expected { fatalError("events depend on chunking (\(chunkSize)): \(events) vs \(expected)") }
    return 0
}
