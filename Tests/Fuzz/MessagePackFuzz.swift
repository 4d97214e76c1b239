// libFuzzer target: FalCore's MessagePack reader (`MessagePackReader`, `MessagePackValue(decoding:)`) and
// `MessagePackDecoder`, which read every frame of fal's realtime WebSocket protocol. Built by scripts/fuzz.sh.
// Beyond "never traps", it checks that whatever reads writes back and reads again to an equal value (equal
// as MessagePackValue counts it: floats by bits), that the rewrite is no longer than the input (the writer
// picks the smallest forms) and stable, and that a typed frame decoded from the bytes encodes, decodes and
// encodes again to the same bytes.
@testable import FalCore
import Foundation

private struct Frame: Codable {
    var requestID: String?
    var seed: Int?
    var scale: Double?
    var ratio: Float?
    var image: Data?
    var tags: [String]?
    var sizes: [String: Int8]?
    var flags: [Bool]?
    var when: Date?
    var big: UInt64?
    var mode: Mode?
    var extra: JSONValue?
    var raw: MessagePackValue?
    var nested: [Frame]?

    enum Mode: String, Codable { case fast, quality }

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", seed, scale, ratio, image, tags, sizes, flags, when, big, mode, extra, raw, nested
    }

    /// The frame with its dates dropped: `Date` keeps seconds since 2001, so seconds since 1970 may move by
    /// a rounding step on the way through it (as with JSONEncoder's `.secondsSince1970`).
    var withoutDates: Frame {
        var copy = self
        copy.when = nil
        copy.nested = nested?.map(\.withoutDates)
        return copy
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessagePack(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    let reader = MessagePackReader()
    let fromPointer = attempt { () throws(MessagePackError) in try reader.read(UnsafeRawBufferPointer(start: bytes, count: count)) }
    let fromData = attempt { () throws(MessagePackError) in try MessagePackValue(decoding: data) }
    switch (fromPointer, fromData) {
    case (.success(let value), .success(let same)):
        guard value == same else { fatalError("pointer and Data reads differ: \(value) vs \(same)") }
        checkRoundTrip(value, inputCount: count)
    case (.failure(let error), .failure(let same)):
        guard error == same, error.offset >= 0, error.offset <= count else {
            fatalError("errors differ or are out of range: \(error) vs \(same)")
        }
    default:
        fatalError("pointer and Data reads disagree: \(fromPointer) vs \(fromData)")
    }
    if let (value, used) = try? reader.readPrefix(data) {
        guard used > 0, used <= count else { fatalError("readPrefix used \(used) of \(count) bytes") }
        if used == count, case .success(let whole) = fromData, whole != value { fatalError("readPrefix and read differ") }
    }

    let decoder = MessagePackDecoder()
    if let frame = try? decoder.decode(Frame.self, from: data) {
        let encoder = MessagePackEncoder()
        guard let written = try? encoder.encode(frame.withoutDates) else { fatalError("a decoded frame could not be encoded") }
        guard let again = try? decoder.decode(Frame.self, from: written) else {
            fatalError("an encoded frame could not be decoded: \(String(describing: try? MessagePackValue(decoding: written)))")
        }
        // Dictionaries encode in hash order, which two equal dictionaries need not share: maps are compared sorted.
        guard let first = try? MessagePackValue(decoding: written), let second = try? encoder.encodeToValue(again),
            sortedMaps(first) == sortedMaps(second)
        else {
            fatalError("frame round trip changed the value: \(String(describing: try? MessagePackValue(decoding: written)))")
        }
    }
    _ = try? decoder.decode([Frame].self, from: data)
    _ = try? decoder.decode([String: Double].self, from: data)
    _ = try? decoder.decode(Date.self, from: data)
    return 0
}

private func attempt(_ body: () throws(MessagePackError) -> MessagePackValue) -> Result<MessagePackValue, MessagePackError> {
    do {
        return .success(try body())
    } catch {
        return .failure(error)
    }
}

/// `value` with every map's entries in the order of their keys' bytes.
private func sortedMaps(_ value: MessagePackValue) -> MessagePackValue {
    switch value {
    case .array(let elements): return .array(elements.map(sortedMaps))
    case .map(let entries):
        return .map(entries.map { (key: sortedMaps($0.key), value: sortedMaps($0.value)) }
            .sorted { $0.key.encoded().lexicographicallyPrecedes($1.key.encoded()) })
    default: return value
    }
}

private func checkRoundTrip(_ value: MessagePackValue, inputCount: Int) {
    let written = value.encoded()
    guard written.count <= inputCount else { fatalError("smallest forms wrote \(written.count) bytes for \(inputCount): \(value)") }
    guard let reread = try? MessagePackValue(decoding: written), reread == value else {
        fatalError("round trip changed the value: \(value)")
    }
    guard reread.hashValue == value.hashValue, reread.encoded() == written else { fatalError("rewrite is not stable: \(value)") }
    if let json = try? JSONValue(value) {
        _ = MessagePackValue(json)
    }
}
