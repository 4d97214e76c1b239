@testable import FalCore
import Foundation
import Testing

/// `JSONTapeDecoder` must be a drop-in for `JSONDecoder`: every case here is decoded by both, and the
/// values, or the error kinds and coding paths, must agree.
@Suite struct JSONTapeDecoderTests {
    struct Image: Codable, Hashable {
        var url: String
        var width: Int?
        var height: Int?
        var contentType: String?
        enum CodingKeys: String, CodingKey { case url, width, height, contentType = "content_type" }
    }

    struct Output: Codable, Hashable {
        var images: [Image]
        var seed: Int
        var timings: [String: Double]?
        var hasNSFWConcepts: [Bool]?
        var prompt: String
        enum CodingKeys: String, CodingKey { case images, seed, timings, prompt, hasNSFWConcepts = "has_nsfw_concepts" }
    }

    enum Scheduler: String, Codable, Hashable { case euler = "Euler", dpm = "DPM++ 2M" }

    struct Special: Codable, Hashable {
        var data: Data
        var url: URL
        var date: Date
        var decimal: Decimal
        var small: Int8
        var unsigned: UInt64
        var ratio: Float
        var scheduler: Scheduler
        var nested: [[Int?]]
        var any: JSONValue
    }

    /// Decodes `json` as `T` with both decoders and compares what they produce.
    func agree<T: Decodable & Equatable>(_ json: String, _ type: T.Type, sourceLocation: SourceLocation = #_sourceLocation) {
        let data = Data(json.utf8)
        let expected = Result { try JSONDecoder().decode(T.self, from: data) }
        let actual = Result { try JSONTapeDecoder().decode(T.self, from: data) }
        switch (expected, actual) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "\(json) as \(T.self)", sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)):
            // JSONValue's conformance tries one type after another under JSONDecoder, so its error there is
            // whatever the last try met; the tape decoder reports the real fault. Both refusing is the point.
            if T.self != JSONValue.self {
                #expect(Self.shape(a) == Self.shape(b), "\(json) as \(T.self): \(b)", sourceLocation: sourceLocation)
            }
        case (.success(let a), .failure(let b)):
            Issue.record("\(json) as \(T.self): JSONDecoder gave \(a), tape decoder threw \(b)", sourceLocation: sourceLocation)
        case (.failure(let a), .success(let b)):
            Issue.record("\(json) as \(T.self): JSONDecoder threw \(a), tape decoder gave \(b)", sourceLocation: sourceLocation)
        }
    }

    /// The error's kind and coding path: what `FalError.decoding` is built from. For a number a type cannot
    /// hold, JSONDecoder reports no path at all; the tape decoder names the field, so only the kind counts.
    static func shape(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not a DecodingError: \(error)" }
        func path(_ keys: [any CodingKey]) -> String { keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined() }
        switch error {
        case .typeMismatch(_, let context): return "typeMismatch at \(path(context.codingPath))"
        case .valueNotFound(_, let context): return "valueNotFound at \(path(context.codingPath))"
        case .keyNotFound(let key, let context): return "keyNotFound \(key.stringValue) at \(path(context.codingPath))"
        case .dataCorrupted: return "dataCorrupted"
        @unknown default: return "\(error)"
        }
    }

    @Test func structsAndOptionals() {
        let output = #"{"images":[{"url":"https://v3.fal.media/a.png","width":1024,"height":768,"content_type":"image/png"}],"seed":42,"timings":{"inference":1.25},"has_nsfw_concepts":[false],"prompt":"a castle"}"#
        agree(output, Output.self)
        agree(#"{"images":[],"seed":1,"prompt":"p","timings":null}"#, Output.self)
        agree(#"{"prompt":"x","seed":2.0,"images":[{"url":"u","width":null}]}"#, Output.self)
        agree(#"{"images":[{"url":"u"}],"seed":1}"#, Output.self)  // missing key
        agree(#"{"images":[{"url":3}],"seed":1,"prompt":"p"}"#, Output.self)  // mismatch, nested path
        agree(#"{"images":[{"url":"u"},{"url":null}],"seed":1,"prompt":"p"}"#, Output.self)  // null, path [1]
        agree(#"{"images":{"url":"u"},"seed":1,"prompt":"p"}"#, Output.self)
        agree(#"{"images":[],"seed":1.5,"prompt":"p"}"#, Output.self)
        agree(#"{"images":[],"seed":1,"prompt":"p","timings":{"a":"slow"}}"#, Output.self)
        agree(#"null"#, Output.self)
        agree(#"[]"#, Output.self)
        agree(#"{"images":[],"seed":1,"prompt":"first","prompt":"second"}"#, Output.self)  // first of duplicates wins
    }

    @Test func numbers() {
        for json in ["0", "-0", "42", "-42", "2.0", "1e2", "1E+2", "2.5", "-9223372036854775808", "9223372036854775807",
                     "9223372036854775808", "99999999999999999999", "1e400", "0.1", "3.4e38", "3.5e38", "-1", "255", "256", "1.0e0", "-0.0"] {
            agree(json, Int.self)
            agree(json, Int8.self)
            agree(json, UInt8.self)
            agree(json, UInt64.self)
            agree(json, Double.self)
            agree(json, Float.self)
            agree(json, JSONValue.self)
            agree(json, Decimal.self)
        }
        agree("18446744073709551615", UInt64.self)
        agree("[1, 2.0, 3e0, -4]", [Int].self)
        agree("[1, 2.5]", [Int].self)
        agree(#"{"x": 12.5}"#, [String: Date].self)
    }

    @Test func strings() {
        for json in [#""plain""#, #""""#, #""quote \" backslash \\ slash \/""#, #""\b\f\n\r\t""#, #""\u00e9\u4e2d""#,
                     #""\ud83d\ude00 emoji""#, #""\ud83d""#, #""\ude00""#, #""\u00""#, #""\x""#, "\"caf\u{E9}\"", "\"\u{1F600}\"",
                     "\"tab\there\"", #""\u0000""#, #""unterminated"#] {
            agree(json, String.self)
            agree(json, JSONValue.self)
        }
        agree(#"{"caf\u00e9":1,"plain":2}"#, [String: Int].self)
        agree(#""aGVsbG8=""#, Data.self)
        agree(#""!!""#, Data.self)
        agree(#""https://fal.ai/models?x=1""#, URL.self)
        agree(#""Euler""#, Scheduler.self)
        agree(#""Heun""#, Scheduler.self)
    }

    @Test func specialTypesAndNesting() {
        let special = #"{"data":"AAEC","url":"https://fal.media/x.png","date":12.5,"decimal":3.14159,"small":-8,"unsigned":18446744073709551615,"ratio":0.5,"scheduler":"DPM++ 2M","nested":[[1,null],[]],"any":{"a":[1,2.5,"s",true,null,{"b":{}}]}}"#
        agree(special, Special.self)
        agree(special.replacingOccurrences(of: #""small":-8"#, with: #""small":-200"#), Special.self)
        agree(special.replacingOccurrences(of: #"[[1,null],[]]"#, with: #"[[1,"x"]]"#), Special.self)
        agree(#"{"1":"a","2":"b"}"#, [Int: String].self)
        agree(#"{"a":{"b":[1,"x"]}}"#, [String: [String: [Int]]].self)
        agree(#"{"a":1}"#, [Int].self)
        agree(#"[1,2]"#, [String: Int].self)
        agree(#"null"#, [Int].self)
        agree(#"[null]"#, [Int].self)
        agree(#"[null, 1]"#, [Int?].self)
        agree(#"{"a":1,"a":2}"#, [String: Int].self)
        agree(#"{"a":1,"a":2}"#, JSONValue.self)
    }

    @Test func largeObjectsUseTheNameTable() {
        let members = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        agree("{\(members)}", [String: Int].self)
        agree("{\(members),\"k7\":-1}", [String: Int].self)
        agree("{\(members)}", JSONValue.self)
        struct Wide: Decodable, Equatable {
            var k0: Int, k50: Int, k99: Int, missing: Int?
        }
        agree("{\(members)}", Wide.self)
    }

    @Test func syntax() {
        let documents = ["", " ", "{", "}", "[", "[1,]", #"{"a":1,}"#, "[1 2]", #"{"a" 1}"#, #"{a:1}"#, "01", "1.", ".5", "-", "+1",
                         "1e", "1e+", "tru", "nul", "true false", "[1] x", "  [1]  ", "\t\n\r 7 ", "NaN", "Infinity",
                         String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
                         String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "[,]", "{,}", "[1,,2]"]
        for json in documents {
            agree(json, JSONValue.self)
        }
    }

    @Test func invalidUTF8IsRejected() throws {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]] {
            #expect(throws: DecodingError.self) { try JSONTapeDecoder().decode(String.self, from: Data(bytes)) }
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(String.self, from: Data(bytes)) }
        }
        #expect(try JSONTapeDecoder().decode(String.self, from: Data([0x22, 0xE2, 0x82, 0xAC, 0x22])) == "€")
    }

    /// Random documents (fixed seed) and one-byte mutations of them: both decoders accept the same texts
    /// and read the same values from them.
    @Test func randomDocumentsAndMutations() throws {
        var generator = SeededRandom(seed: 0x5EED)
        let alphabet = Array(#"{}[],:"\ 0123456789.eE+-truefalsn\u00e9abc"#.utf8)
        var mutated = 0
        for _ in 0..<400 {
            let value = Self.randomValue(&generator, depth: 0)
            let text = try JSONEncoder().encode(value)
            agree(String(decoding: text, as: UTF8.self), JSONValue.self)
            var bytes = [UInt8](text)
            let position = Int(generator.next() % UInt64(bytes.count))
            switch generator.next() % 3 {
            case 0: bytes[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
            case 1: bytes.remove(at: position)
            default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: position)
            }
            agree(String(decoding: bytes, as: UTF8.self), JSONValue.self)
            mutated += 1
        }
        #expect(mutated == 400)
    }

    static func randomValue(_ generator: inout SeededRandom, depth: Int) -> JSONValue {
        switch generator.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(generator.next() % 2 == 0)
        case 2: return .int(Int(truncatingIfNeeded: generator.next()) >> Int(generator.next() % 64))
        case 3: return .double(Double(Int(truncatingIfNeeded: generator.next() % 2_000_000) - 1_000_000) / 1024)
        case 4: return .string(String((0..<Int(generator.next() % 12)).map { _ in "aé\"\\\n€😀 b/".randomElement(using: &generator)! }))
        case 5: return .array((0..<Int(generator.next() % 5)).map { _ in randomValue(&generator, depth: depth + 1) })
        default:
            return .object(Dictionary((0..<Int(generator.next() % 5)).map { _ in ("k\(generator.next() % 8)", randomValue(&generator, depth: depth + 1)) },
                                      uniquingKeysWith: { first, _ in first }))
        }
    }
}
