import Foundation
import Testing
@testable import FalCodegen

/// Layer one of the change report (`APIDiff`): the planned Swift declarations compared old against new, on the
/// mutations `make api-digester` also holds to `swift-api-digester` (`Tests/Fixtures/diff/api`). Each mutation's
/// source-breaking declarations are written out here, so a report that misses or invents one fails.
struct APIChangeReportTests {
    struct Mutation: Decodable, CustomTestStringConvertible, Sendable {
        var name: String
        var sourceBreaking: Bool
        var edits: [[String]]
        var testDescription: String { name }
    }

    static let folder = Repository.path("Tests/Fixtures/diff/api")
    static let base = (try? String(contentsOfFile: folder + "/base.json", encoding: .utf8)) ?? ""
    static let mutations: [Mutation] = (try? JSONDecoder().decode(
        [Mutation].self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/mutations.json")))) ?? []

    /// What each mutation must report as source-breaking: `rule symbol`, the symbol as the digester spells it.
    static let expected: [String: Set<String>] = [
        // Neither changes the wire contract, and the report compares NEW named as `update` regenerates it, with OLD's
        // names kept (`NamesLock`): `ImageSize` stays `ImageSize` under its new component name, and the initializer keeps
        // its order. `NamesLockTests` shows what each did to the API before the lock.
        "component-renamed": [],
        "seed-moved-first": [],
        "default-undocumented": ["removed TestDoc.Input.Defaults.guidanceScale"],
        "shared-file-type-grew": ["changed TestDoc.Output.images", "changed TestDoc.Output.init(images:seed:status:labels:)"],
        "output-enum-case-added": ["output-case-added TestDoc.Status.error"],
        "string-array-nullable": ["changed TestDoc.Output.labels", "changed TestDoc.Output.init(images:seed:status:labels:)"],
        "string-becomes-file": ["changed TestDoc.Input.mask", "changed TestDoc.Input.init(prompt:imageSize:seed:guidanceScale:scheduler:mask:tags:)"],
        "input-enum-case-added": [],
        "optional-input-added": [],
        "required-input-added": ["changed TestDoc.Input.init(prompt:imageSize:seed:guidanceScale:scheduler:mask:tags:)"],
        "output-field-removed": ["removed TestDoc.Output.seed", "changed TestDoc.Output.init(images:seed:status:labels:)"],
        "range-narrowed": [],
    ]

    /// Mutations that leave the wire contract, and so the Swift API, as it was: the report says nothing at all.
    static let unchangedInSwift: Set<String> = ["component-renamed", "seed-moved-first"]

    static func endpoint(_ text: String) throws -> Endpoint {
        try DocumentLoader.load(data: Data(text.replacingOccurrences(of: "{id}", with: "test/doc").utf8), name: "doc.json").endpoint
    }

    static func applying(_ mutation: Mutation) throws -> String {
        var text = base
        for edit in mutation.edits {
            try #require(text.components(separatedBy: edit[0]).count == 2, "`\(edit[0])` must occur once")
            text = text.replacingOccurrences(of: edit[0], with: edit[1])
        }
        return text
    }

    @Test(arguments: mutations)
    func sourceBreakingDeclarations(_ mutation: Mutation) throws {
        let report = APIDiff.compare(old: [try Self.endpoint(Self.base)], new: [try Self.endpoint(try Self.applying(mutation))])
        let breaking = Set(report.allChanges.filter { $0.kind == .sourceBreaking }.map { "\($0.rule.rawValue) \($0.symbol)" })
        #expect(breaking == Self.expected[mutation.name], "\(report.text)")
        #expect(report.hasSourceBreakingChanges == mutation.sourceBreaking)
        #expect(report.endpoints.isEmpty == Self.unchangedInSwift.contains(mutation.name), "\(report.text)")
    }

    @Test func mutationsFileAndExpectationsMatch() {
        #expect(Set(Self.mutations.map(\.name)) == Set(Self.expected.keys))
    }

    @Test func identicalDocumentsReportNothing() throws {
        let endpoint = try Self.endpoint(Self.base)
        #expect(APIDiff.compare(old: [endpoint], new: [endpoint]).endpoints.isEmpty)
    }

    @Test func nonBreakingMutationsSayWhy() throws {
        let rules = try Dictionary(uniqueKeysWithValues: Self.mutations.filter { !$0.sourceBreaking }.map { mutation in
            (mutation.name, Set(APIDiff.compare(old: [try Self.endpoint(Self.base)], new: [try Self.endpoint(try Self.applying(mutation))])
                .allChanges.map { "\($0.kind.rawValue) \($0.rule.rawValue) \($0.symbol)" }))
        })
        #expect(rules["input-enum-case-added"]?.contains("additive input-case-added TestDoc.Scheduler.lms") == true, "\(rules)")
        #expect(rules["optional-input-added"]?.contains(
            "additive initializer-grew TestDoc.Input.init(prompt:imageSize:seed:guidanceScale:scheduler:mask:tags:)") == true, "\(rules)")
        #expect(rules["range-narrowed"] == ["runtime-breaking wire TestDoc.Input.guidanceScale"], "\(rules)")
    }

    @Test func removedEndpointIsOneDeclarationAndItsAccessor() throws {
        let kept = try Self.endpoint(Self.base)
        let gone = try DocumentLoader.load(data: Data(Self.base.replacingOccurrences(of: "{id}", with: "test/gone").utf8), name: "gone.json").endpoint
        let report = APIDiff.compare(old: [kept, gone], new: [kept])
        #expect(Set(report.allChanges.map { "\($0.kind.rawValue) \($0.symbol)" }) == ["source-breaking TestGone", "source-breaking FalClient.testGone"])
        let added = APIDiff.compare(old: [kept], new: [kept, gone])
        #expect(Set(added.allChanges.map { "\($0.kind.rawValue) \($0.symbol)" }) == ["additive TestGone", "additive FalClient.testGone"])
    }
}
