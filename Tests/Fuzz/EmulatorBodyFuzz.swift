// libFuzzer target: the emulator's request-body rules (`JSONBodyParser`: missing, malformed, not an
// object), built by scripts/fuzz.sh with that source and the emulator's `JSONCoding`.
// Beyond "never traps", it checks that every refusal is one the emulator answers in fal's shape and that
// an accepted body is an object whose size is the input's.
import FalCore
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEmulatorBody(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    switch JSONBodyParser.parse(data) {
    case .success(let body):
        guard body.value.objectValue != nil, body.size == count else { fatalError("accepted a body that is not an object: \(body.value)") }
        // What the emulator writes back (fabricated outputs echo input values) must always encode.
        _ = JSONCoding.string(body.value)
    case .failure(.missing):
        guard data.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { fatalError("non-empty body refused as missing") }
    case .failure(.malformed(let reason)):
        guard !reason.isEmpty else { fatalError("malformed body without a reason") }
    case .failure(.notAnObject(let issue)):
        guard issue.message.hasPrefix("expected object") else { fatalError("unexpected refusal: \(issue)") }
    }
    return 0
}
