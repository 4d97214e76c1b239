@testable import FalCore
import Foundation
import Testing

/// Numbers at the edges, from requests and documents (issue 11): nothing traps, and what the fuzz
/// targets found stays found.
@Suite struct HostileNumberTests {
    /// A document's `multipleOf` may be any number: `Int64(1e300)` used to trap for an integral value.
    @Test(arguments: [1e300, 9.3e18, Double(Int64.max)])
    func hugeIntegralDivisorsDoNotTrap(_ divisor: Double) {
        var issues: [ValidationIssue] = []
        Rule.multipleOf(6, divisor, at: .root, into: &issues)
        #expect(issues.count == 1)
        issues = []
        Rule.multipleOf(divisor, divisor, at: .root, into: &issues)
        #expect(issues.isEmpty)
    }

    /// Found by the JSONTape fuzz target (its round-trip oracle): an integer literal just past `Int.min`
    /// reads as `.double`, and written back (as the nearest double, -2^63) reads as `.int(Int.min)`. Both
    /// are right (`.int` only for numbers `Int` holds exactly); they are the same number to JSON Schema.
    @Test func integerLiteralsPastIntReadAsDoublesThatCompareEqual() throws {
        let decoder = JSONTapeDecoder()
        let literal = try decoder.decode(JSONValue.self, from: Data("-9223372036854775809".utf8))
        #expect(literal == .double(-9_223_372_036_854_775_808))
        let written = try JSONEncoder().encode(literal)
        let reread = try decoder.decode(JSONValue.self, from: written)
        #expect(reread == .int(Int.min))
        #expect(JSONValue.schemaEqual(literal, reread))
        #expect(try decoder.decode(JSONValue.self, from: Data("1e300".utf8)) == .double(1e300))
        #expect(throws: DecodingError.self) { try decoder.decode(JSONValue.self, from: Data("1e400".utf8)) }
    }

    /// `uniqueItems` compared every item with every earlier one: a 8 MiB body of distinct numbers kept a
    /// core busy for minutes. Now hashed, with JSON Schema's equality (1 == 1.0, key order irrelevant).
    @Test func uniqueItemsIsHashedWithSchemaEquality() {
        func check(_ items: [JSONValue]) -> [String] {
            var issues: [ValidationIssue] = []
            Rule.uniqueItems(items, at: .root, into: &issues)
            return issues.map(\.message)
        }
        #expect(check([1, 2, .double(1.0)]) == ["has duplicate item at index 2"])
        #expect(check([["a": 1, "b": [true]], ["b": [true], "a": .double(1)]]) == ["has duplicate item at index 1"])
        #expect(check([1, "1", true, nil, [1], ["1": 1]]).isEmpty)
        #expect(check([.double(-0.0), 0]) == ["has duplicate item at index 1"])
        let distinct = (0..<200_000).map { JSONValue.int($0) }
        #expect(check(distinct).isEmpty)
        #expect(check(distinct + [.double(199_999)]) == ["has duplicate item at index 200000"])
    }
}
