// libFuzzer target: the generator's document reader (`OrderedJSONReader`), which reads every OpenAPI
// document `fal-codegen` fetches or loads. Built by scripts/fuzz.sh with the Parse/OrderedJSON* sources.
// Beyond "never traps", it checks a round trip: what it read, serialized and read again, is equal.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOrderedJSON(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: bytes, count: count))
    guard let value = try? OrderedJSONReader.read(input) else { return 0 }
    for (sorted, indent) in [(false, nil), (true, 2)] as [(Bool, Int?)] {
        let text = value.serialized(sortedKeys: sorted, indent: indent)
        guard let reread = try? OrderedJSONReader.read(Array(text.utf8)) else { fatalError("serialized document does not read back: \(text)") }
        if !sorted, reread != value { fatalError("round trip changed the document: \(text)") }
    }
    return 0
}
