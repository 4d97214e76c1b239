import FalCodegen
import Foundation
import Testing

/// Paths relative to the package root, found from this file's location.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static let hostileDocuments = path("Tests/Fixtures/hostile")
    /// The checked-in generator output the `HostileFixture` target compiles.
    static let hostileOutput = path("Tests/HostileFixture")
}

/// `Tests/Fixtures/hostile` (keywords, digit-first and colliding names, comment and string breakers in
/// descriptions, deep nesting, a recursive `$ref`) generated through FalCodegen's public API. The compiled
/// `HostileFixture` target is that output, so this golden check plus the build prove the output compiles.
@Suite struct HostileGoldenTests {
    @Test func checkedInFixtureIsTheGeneratorsOutput() throws {
        let result = try Generator.generate(documents: [Repository.hostileDocuments])
        let expected = Dictionary(uniqueKeysWithValues: result.files.map { ($0.name, $0.contents) })
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Repository.hostileOutput).filter { $0.hasSuffix(".swift") }
        #expect(Set(onDisk) == Set(expected.keys), "Tests/HostileFixture has other files than the generator writes; run `make hostile-fixture`")
        for (name, contents) in expected.sorted(by: { $0.key < $1.key }) {
            let path = (Repository.hostileOutput as NSString).appendingPathComponent(name)
            let actual = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
            if actual != contents {
                Issue.record("\(name) differs from what fal-codegen generates (\(Self.firstDifference(actual, contents))); run `make hostile-fixture`")
            }
        }
    }

    /// `line N: "checked in" vs "generated"`, short enough to read in a test log.
    static func firstDifference(_ actual: String, _ expected: String) -> String {
        let left = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let right = expected.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(left.count, right.count) {
            let have = index < left.count ? String(left[index]) : "<end of file>"
            let want = index < right.count ? String(right[index]) : "<end of file>"
            if have != want { return "line \(index + 1): checked in \(have.debugDescription), generated \(want.debugDescription)" }
        }
        return "same lines"
    }

    @Test func generationIsDeterministic() throws {
        let first = try Generator.generate(documents: [Repository.hostileDocuments])
        let second = try Generator.generate(documents: [Repository.hostileDocuments])
        #expect(first.files == second.files)
        #expect(first.diagnostics == second.diagnostics)
    }

    /// Everything in the fixture is expressible: keywords, collisions and the recursive `$ref` (a struct
    /// cannot hold itself, so `TreeNode.parent` is boxed in `Indirect`) need no warning and lose nothing.
    @Test func everythingIsExpressedWithoutDiagnostics() throws {
        let result = try Generator.generate(documents: [Repository.hostileDocuments])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let source = try #require(result.files.first { $0.name == "TestHostile.swift" }?.contents)
        #expect(source.contains("public var parent: Indirect<TreeNode>?"))
        #expect(!source.contains("JSONValue"), "some hostile field fell back to untyped JSON")
    }

    /// Nothing from a description reaches the code outside a `///` line, and no bidi override or raw
    /// control character is written into the source.
    @Test func descriptionsStayInsideDocComments() throws {
        let result = try Generator.generate(documents: [Repository.hostileDocuments])
        let source = try #require(result.files.first { $0.name == "TestHostile.swift" }?.contents)
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) where line.contains("*/") || line.contains("\"\"\"") {
            #expect(line.trimmingCharacters(in: .whitespaces).hasPrefix("///"), "description text outside a doc comment: \(line)")
        }
        #expect(!source.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) })
        #expect(source.contains("漢字 🎨"), "unicode in descriptions should be kept")
    }
}
