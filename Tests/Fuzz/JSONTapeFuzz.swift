// libFuzzer target: FalCore's JSON reader (`JSONTapeDecoder`, `JSONTapeObject`), which reads every fal
// answer the runtime receives and every request body the emulator receives. Built by scripts/fuzz.sh.
// Beyond "never traps", it checks a round trip: a value it read, written back as JSON, reads back equal
// as JSON Schema counts equality (a `.double` that is integral and fits `Int`, such as the nearest double
// to -9223372036854775809, rightly reads back as `.int`).
@testable import FalCore
import Foundation

private struct Shape: Decodable {
    var a: Int?
    var b: [Double]?
    var c: String?
    var d: [String: Int8]?
    var e: Decimal?
    var f: URL?
    var g: Data?
    var h: [UInt64]?
    var i: Float?
    var nested: [Shape]?
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONTape(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    let decoder = JSONTapeDecoder()
    if let value = try? decoder.decode(JSONValue.self, from: data) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let written = try? encoder.encode(value) else { fatalError("a value read from JSON could not be written: \(value)") }
        guard let reread = try? decoder.decode(JSONValue.self, from: written), JSONValue.schemaEqual(reread, value) else {
            fatalError("round trip changed the value: \(value) -> \(String(decoding: written, as: UTF8.self))")
        }
    }
    _ = try? decoder.decode(Shape.self, from: data)
    _ = try? decoder.decode([Shape].self, from: data)
    if let object = try? JSONTapeObject(data) {
        _ = try? object.string("status")
        _ = try? object.integer("queue_position")
        _ = try? object.value("logs")
    }
    return 0
}
