import Foundation

/// A JSON object's members read straight off the tape, for the runtime's fixed-shape answers (queue
/// status, submission): no `Codable` machinery, and only the members asked for are turned into values.
/// Types are as strict as `JSONTapeDecoder`'s, and failures are the same `DecodingError`s with the
/// member as the coding path; a missing member or `null` reads as nil.
package struct JSONTapeObject {
    private let decoder: TapeDecoder

    package init(_ data: Data) throws {
        decoder = TapeDecoder(document: try TapeDocument(parsing: data, userInfo: [:]), index: 0, path: .root)
        guard decoder.entry.kind == .object else { throw TapeDecoder.mismatch([String: Any].self, decoder.entry.kind, []) }
    }

    /// The value entry of the first member called `key` unless it is missing or null.
    private func member(_ key: String) -> Int? {
        let tape = decoder.document.tape
        var key = key
        guard let index = key.withUTF8({ tape.member($0, of: 0) }), tape.entries[index].kind != .null else { return nil }
        return index
    }

    package func string(_ key: String) throws -> String? {
        try member(key).map { try decoder.string(at: $0, step: .key(TapeNameKey(key))) }
    }

    package func integer(_ key: String) throws -> Int? {
        try member(key).map { try decoder.integer(Int.self, at: $0, step: .key(TapeNameKey(key))) }
    }

    package func value(_ key: String) throws -> JSONValue? {
        try member(key).map { try decoder.jsonValue(at: $0, step: .key(TapeNameKey(key))) }
    }
}
