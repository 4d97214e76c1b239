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

    // Small caps, so the fuzzer also reaches the line and event limits.
    func parser() -> ServerSentEventParser { ServerSentEventParser(maximumLineBytes: 512, maximumEventBytes: 2048) }
    var whole = parser()
    let expected = try? whole.feed(stream) + whole.finish()

    var split = parser()
    var events: [ServerSentEvent] = []
    var offset = 0
    do {
        while offset < stream.count {
            let end = min(offset + chunkSize, stream.count)
            events += try split.feed(stream.subdata(in: offset..<end))
            offset = end
        }
        events += try split.finish()
    } catch {
        return 0  // over a cap: refused with an error, which is what the caps are for
    }
    if let expected, events != expected { fatalError("events depend on chunking (\(chunkSize)): \(events) vs \(expected)") }
    return 0
}
