import FalCore
import Foundation

/// JSON bytes ⇄ `JSONValue`, the only representation request and response bodies take inside the emulator.
enum JSONCoding {
    /// Parses a request body, with the runtime's JSON reader (`JSONDecoder` reaches a `JSONValue` by trying
    /// one type after another, which was most of a small request's handling time). Throws `MalformedJSON`
    /// with the parser's explanation (what, and at which byte) for anything that is not JSON.
    static func parse(_ data: Data) throws(MalformedJSON) -> JSONValue {
        do {
            return try JSONTapeDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw MalformedJSON(reason: context.debugDescription)
        } catch {
            throw MalformedJSON(reason: "\(error)")
        }
    }

    /// Serialises with sorted keys so equal values always produce equal bytes (fabricated outputs are compared by tests).
    static func data(_ value: JSONValue) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: every case maps to a JSON value. Non-finite doubles are the one
        // exception, and the fabricator never produces them.
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }

    static func string(_ value: JSONValue) -> String {
        String(decoding: data(value), as: UTF8.self)
    }
}

struct MalformedJSON: Error, Sendable {
    var reason: String
}
