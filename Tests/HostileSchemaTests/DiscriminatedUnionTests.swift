import Foundation
import HostileFixture
import Testing

/// `shape` is a `oneOf` with a `discriminator` (`kind`, with `box` mapped to `Square` as well): it decodes by
/// the tag, not by trying shapes, so a circle-shaped body tagged `square` fails at the square's fields.
@Suite struct DiscriminatedUnionTests {
    typealias Input = TestHostile.Input

    static func decode(_ shape: String) throws -> Input {
        try JSONDecoder().decode(Input.self, from: Data(#"{"class": "x", "2fa_code": "123456", "shape": \#(shape)}"#.utf8))
    }

    @Test func theTagPicksTheCase() throws {
        #expect(try Self.decode(#"{"kind": "circle", "radius": 2}"#).shape == .circle(.init(kind: "circle", radius: 2)))
        #expect(try Self.decode(#"{"kind": "square", "side": 3}"#).shape == .square(.init(kind: .square, side: 3)))
    }

    @Test func aMappedAliasDecodesAsItsTarget() throws {
        #expect(try Self.decode(#"{"kind": "box", "side": 3}"#).shape == .square(.init(kind: .box, side: 3)))
    }

    @Test func anUnknownTagIsAnErrorNamingTheKnownOnes() throws {
        let error = try #require(throws: DecodingError.self) { try Self.decode(#"{"kind": "hexagon", "radius": 2}"#) }
        guard case .dataCorrupted(let context) = error else { Issue.record("unexpected \(error)"); return }
        #expect(context.debugDescription.contains("hexagon is not one of"), "\(context.debugDescription)")
        #expect(context.debugDescription.contains("circle") && context.debugDescription.contains("box"))
    }

    @Test func theTagDoesNotFallBackToAnotherShape() throws {
        // A square's fields under the circle tag: no trying Square instead.
        #expect(throws: DecodingError.self) { try Self.decode(#"{"kind": "circle", "side": 3}"#) }
    }

    @Test func aComponentNamedIndirectDoesNotHideFalCoresBox() {
        // The fixture's `Indirect` component is renamed, so the recursive `TreeNode` still uses FalCore's `Indirect`.
        let note = TestHostile.Indirect2(note: "n")
        #expect(note.note == "n")
    }
}
