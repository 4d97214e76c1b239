import Foundation
import OpenAPIKit
import Testing
@testable import FalCodegen

/// `OrderedJSONDecoder` decodes what `JSONDecoder` decodes, refuses what it refuses, with the same coding paths.
@Suite struct OrderedJSONDecoderTests {
    struct Sample: Codable, Equatable {
        var name: String
        var count: Int
        var ratio: Double
        var small: Float
        var flag: Bool
        var tags: [String]
        var nested: [String: [Int8]]
        var optional: String?
        var absent: Int?
    }

    private func both<T: Decodable & Equatable>(_ type: T.Type, _ text: String) throws -> (ours: T, foundation: T) {
        let tree = try OrderedJSONReader.read(Array(text.utf8))
        return (try OrderedJSONDecoder().decode(T.self, from: tree), try JSONDecoder().decode(T.self, from: Data(text.utf8)))
    }

    /// The coding path of the error each decoder throws, or nil when it decodes.
    private func failurePaths<T: Decodable>(_ type: T.Type, _ text: String) throws -> (ours: String?, foundation: String?) {
        func path(_ body: () throws -> T) -> String? {
            do { _ = try body(); return nil } catch let error as DecodingError {
                switch error {
                case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
                    return context.codingPath.map(\.stringValue).joined(separator: "/")
                @unknown default: return "?"
                }
            } catch { return "not a DecodingError: \(error)" }
        }
        let tree = try OrderedJSONReader.read(Array(text.utf8))
        return (path { try OrderedJSONDecoder().decode(T.self, from: tree) }, path { try JSONDecoder().decode(T.self, from: Data(text.utf8)) })
    }

    @Test func decodesLikeJSONDecoder() throws {
        let text = #"{"name":"n","count":2.0,"ratio":1e-3,"small":0.5,"flag":false,"tags":["a","b"],"nested":{"x":[1,-128]},"optional":null}"#
        let decoded = try both(Sample.self, text)
        #expect(decoded.ours == decoded.foundation)
        #expect(decoded.ours.count == 2 && decoded.ours.optional == nil && decoded.ours.nested["x"] == [1, -128])
    }

    @Test func refusesWhatJSONDecoderRefusesAtTheSamePath() throws {
        let valid = #"{"name":"n","count":1,"ratio":1,"small":1,"flag":true,"tags":[],"nested":{}}"#
        // (replaced, replacement, coding path of the failure)
        let broken = [
            (#""name":"n""#, #""name":1"#, "name"),  // number for a string
            (#""count":1"#, #""count":"1""#, "count"),  // string for a number
            (#""flag":true"#, #""flag":1"#, "flag"),  // number for a Bool
            (#""tags":[]"#, #""tags":["a",null]"#, "tags/Index 1"),  // null in an array
            (#""ratio":1,"#, "", "ratio"),  // missing key (JSONDecoder's path is the container's, the key is in the error)
            (#""tags":[]"#, #""tags":{}"#, "tags"),  // object for an array
        ]
        for (replaced, replacement, path) in broken {
            let text = valid.replacingOccurrences(of: replaced, with: replacement)
            let paths = try failurePaths(Sample.self, text)
            #expect(paths.ours == paths.foundation, "\(text)")
            #expect(paths.ours == (replacement.isEmpty ? "" : path), "\(text)")
        }
        // Numbers an integer type cannot hold: JSONDecoder reports them without a path; ours names the field.
        for (replaced, replacement, path) in [(#""count":1"#, #""count":1.5"#, "count"), (#""nested":{}"#, #""nested":{"x":[300]}"#, "nested/x/Index 0")] {
            let text = valid.replacingOccurrences(of: replaced, with: replacement)
            let paths = try failurePaths(Sample.self, text)
            #expect(paths.foundation != nil, "\(text)")
            #expect(paths.ours == path, "\(text)")
        }
        #expect(try failurePaths(Sample.self, valid) == (nil, nil))
    }

    @Test func keepsObjectKeysInDocumentOrder() throws {
        struct Keys: Decodable {
            var keys: [String]
            init(from decoder: any Decoder) throws {
                keys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
            }
        }
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        let names = (0..<40).map { "k\(($0 * 7) % 40)" }
        let text = "{" + names.map { "\"\($0)\":\($0.count)" }.joined(separator: ",") + "}"
        #expect(try OrderedJSONDecoder().decode(Keys.self, from: OrderedJSONReader.read(Array(text.utf8))).keys == names)
    }

    /// The document OpenAPIKit builds is the same through either decoder.
    @Test func openAPIKitDocumentsAreTheSame() throws {
        for name in ["fal-ai__illusion-diffusion.json", "fal-ai__fast-sdxl__image-to-image.json"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("schemas/" + name)))
            let copy = StructuralCopy(of: try OrderedJSONReader.read(Array(data))).document
            var ours = OrderedJSONDecoder()
            ours.userInfo[DocumentConfiguration.versionMapKey] = ["3.0.4": OpenAPI.Document.Version.v3_1_1]
            let foundation = JSONDecoder()
            foundation.userInfo[DocumentConfiguration.versionMapKey] = ["3.0.4": OpenAPI.Document.Version.v3_1_1]
            let expected = try foundation.decode(OpenAPI.Document.self, from: Data(copy.serialized().utf8))
            let mine = try ours.decode(OpenAPI.Document.self, from: copy)
            // JSONDecoder hands out object keys in hash order, so maps are compared key by key.
            #expect(mine.paths.count == expected.paths.count, "\(name)")
            for (path, item) in mine.paths { #expect(item == expected.paths[path], "\(name) \(path.rawValue)") }
            #expect(mine.components.schemas.keys.sorted(by: { $0.rawValue < $1.rawValue }) == expected.components.schemas.keys.sorted(by: { $0.rawValue < $1.rawValue }))
            #expect(mine.info == expected.info && mine.servers == expected.servers && mine.security == expected.security)
            #expect(mine.openAPIVersion == expected.openAPIVersion)
            #expect(mine.paths.keys.map(\.rawValue) == copy["paths"]?.members?.map(\.key), "document order")
        }
    }
}
