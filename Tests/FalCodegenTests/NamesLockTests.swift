import Foundation
import Testing
@testable import FalCodegen

/// The names lock (`NamesLock`, `fal-codegen.lock`): what fal changes without changing the wire contract changes no
/// Swift name or initializer, and a generation with the lock it wrote is that generation again.
struct NamesLockTests {
    /// The public API as the change report sees it: every declaration's name, kind, signature and parameters.
    static func surface(_ endpoints: [Endpoint], lock: NamesLock?) -> Set<String> {
        Set(Generator.plan(endpoints: endpoints, lock: lock).flatMap(APISurface.declarations(of:)).map { declaration in
            "\(declaration.kind) \(declaration.name): \(declaration.signature) \(declaration.parameters.map { "\($0.label):\($0.type)\($0.defaulted ? "=" : "")" })"
        })
    }

    /// Generated code without its comments: what compiles, and so all of the API.
    static func code(_ files: [GeneratedFile]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: files.map { file in
            (file.name, file.contents.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n"))
        })
    }

    static func mutation(_ name: String) throws -> (old: Endpoint, new: Endpoint) {
        let mutation = try #require(APIChangeReportTests.mutations.first { $0.name == name })
        return (try APIChangeReportTests.endpoint(APIChangeReportTests.base),
                try APIChangeReportTests.endpoint(try APIChangeReportTests.applying(mutation)))
    }

    // MARK: A generation's own lock changes nothing

    @Test(arguments: [("schemas", "schemas/overlays"), ("Tests/Fixtures/openapi", nil), ("Tests/Fixtures/hostile", nil),
                      ("Tests/Fixtures/diff/restyled", nil)] as [(String, String?)])
    func generatingWithItsOwnLockChangesNoByte(_ folder: String, _ overlays: String?) throws {
        let plain = try Generator.generate(documents: [Repository.path(folder)], overlaysDirectory: overlays.map(Repository.path))
        #expect(!plain.names.endpoints.isEmpty)
        let locked = try Generator.generate(documents: [Repository.path(folder)], overlaysDirectory: overlays.map(Repository.path),
                                            lock: plain.names)
        #expect(locked.files == plain.files)
        #expect(locked.names == plain.names, "the lock is a fixpoint")
    }

    @Test func lockFileRoundTrips() throws {
        let names = try Generator.generate(documents: [Repository.path("schemas")], overlaysDirectory: Repository.path("schemas/overlays")).names
        let text = names.serialized
        let parsed = try NamesLock(parsing: Array(text.utf8), file: "fal-codegen.lock")
        #expect(parsed == names)
        #expect(parsed.serialized == text)
        let illusion = try #require(names.endpoints["fal-ai/illusion-diffusion"])
        #expect(illusion.type == "IllusionDiffusion" && illusion.accessor == "illusionDiffusion")
    }

    @Test func lockOfAnotherVersionOrShapeIsAnError() {
        #expect(throws: CodegenError.self) { try NamesLock(parsing: Array(#"{"version": 2, "endpoints": {}}"#.utf8), file: "x") }
        #expect(throws: CodegenError.self) { try NamesLock(parsing: Array(#"{"version": 1, "endpoints": {"a": {"type": "A"}}}"#.utf8), file: "x") }
        #expect(throws: CodegenError.self) { try NamesLock(parsing: Array("not json".utf8), file: "x") }
    }

    // MARK: fal's churn

    /// `ImageSize` renamed `ImageDimensions`: without the lock the union takes the freed name and the struct the new
    /// one (what the report used to call breaking); with it, every name stays.
    @Test func renamedComponentKeepsItsSwiftName() throws {
        let (old, new) = try Self.mutation("component-renamed")
        let lock = Generator.names(for: [old])
        #expect(lock.endpoints["test/doc"]?.types["ImageSizeChoice/anyOf/0"] == "ImageSize", "recorded by site, not by component")
        #expect(Self.surface([new], lock: nil) != Self.surface([old], lock: nil), "without the lock the names move")
        #expect(Self.surface([new], lock: lock) == Self.surface([old], lock: nil))
    }

    @Test func reorderedPropertiesKeepTheInitializer() throws {
        let (old, new) = try Self.mutation("seed-moved-first")
        let lock = Generator.names(for: [old])
        #expect(Self.surface([new], lock: nil) != Self.surface([old], lock: nil), "without the lock `seed:` moves first")
        #expect(Self.surface([new], lock: lock) == Self.surface([old], lock: nil))
    }

    /// A component reached at two sites is recorded at both, so a reorder that changes which comes first keeps its name.
    @Test func componentRecordedAtEverySite() throws {
        let (old, _) = try Self.mutation("component-renamed")
        let sites = try #require(Generator.names(for: [old]).endpoints["test/doc"]?.types)
        #expect(sites["Output/properties/images/items"] == "FalOutputFile" || sites["Output/properties/images/items"] == "FalImage")
        #expect(sites["Input/properties/image_size"] == "ImageSizeChoice")
    }

    @Test func initializerOrderKeepsOldParametersAndPlacesNewOnes() {
        let keys = ["seed", "prompt", "mode", "image_size", "sync_mode"]
        // Planned (fal's new order): seed first; the lock had prompt, image_size, seed.
        let order = MemberOrder.keeping(["prompt", "image_size", "seed", "removed"], planned: [1, 2, 0, 3, 4], keys: keys,
                                        required: ["prompt", "mode"])
        #expect(order.map { keys[$0] } == ["prompt", "mode", "image_size", "seed", "sync_mode"])
    }

    /// "Edit to rename": a name written into the lock is used; one the generated code cannot use is not.
    @Test func handEditedLockRenamesAndBadNamesAreIgnored() throws {
        let (old, _) = try Self.mutation("component-renamed")
        var lock = Generator.names(for: [old])
        lock.endpoints["test/doc"]?.types["ImageSizeChoice/anyOf/0"] = "Dimensions"
        lock.endpoints["test/doc"]?.types["Input/properties/scheduler"] = "String"
        let text = try #require(Generator.generate(endpoints: [old], lock: lock).files.last?.contents)
        #expect(text.contains("public struct Dimensions:"))
        #expect(text.contains("case custom(Dimensions)"))
        #expect(text.contains("public enum Scheduler:"), "a reserved name is not taken")

        // Renaming a holder, as the README says: its name replaced throughout, sites under it included.
        let edited = lock.serialized.replacingOccurrences(of: "\"ImageSizeChoice", with: "\"SizeChoice")
        let renamed = try NamesLock(parsing: Array(edited.utf8), file: "edited.lock")
        let renamedText = try #require(Generator.generate(endpoints: [old], lock: renamed).files.last?.contents)
        #expect(renamedText.contains("public enum SizeChoice:") && renamedText.contains("case custom(Dimensions)"))
        #expect(!renamedText.contains("ImageSizeChoice"))
    }

    /// Endpoint names depend on the set of ids: an endpoint added beside one whose name it shares would rename
    /// both, unless the lock holds the first one's names.
    @Test func endpointKeepsItsNamesWhenACollidingOneIsAdded() {
        let alone = EndpointNaming.names(for: ["fal-ai/flux/dev"])
        #expect(alone["fal-ai/flux/dev"]?.type == "FluxDev")
        let both = EndpointNaming.names(for: ["fal-ai/flux/dev", "fal-ai/flux-dev"])
        #expect(both["fal-ai/flux/dev"]?.type != "FluxDev", "without the lock the existing endpoint is renamed")
        let lock = NamesLock(endpoints: ["fal-ai/flux/dev": .init(type: "FluxDev", accessor: "fluxDev", types: [:], initializers: [:])])
        let kept = EndpointNaming.names(for: ["fal-ai/flux/dev", "fal-ai/flux-dev"], lock: lock)
        #expect(kept["fal-ai/flux/dev"]?.type == "FluxDev" && kept["fal-ai/flux/dev"]?.accessor == "fluxDev")
        #expect(kept["fal-ai/flux-dev"]?.type != "FluxDev" && kept["fal-ai/flux-dev"]?.accessor != "fluxDev")
    }

    // MARK: The real corpus (opt-in: FAL_CORPUS=../shared/fal-openapi)

    /// fal's restyle (`LegacyRestyle`: components renamed, `allOf: [{$ref}]` as a `$ref` with siblings, titles and
    /// examples dropped, members reordered) applied to every current document of the corpus: regenerated with the lock
    /// of its first generation, no line of code changes (without the lock, 179 of 454 documents' code did). Every
    /// document is generated twice, so it runs only when asked for.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FAL_CORPUS"] != nil))
    func corpusRestyledChangesNoGeneratedCode() throws {
        let folder = try #require(ProcessInfo.processInfo.environment["FAL_CORPUS"])
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".legacy.json") && !$0.hasSuffix(".schemas-only.json") }.sorted()
        var changed: [String] = [], compared = 0
        for file in files {
            let tree = try OrderedJSONReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))))
            guard let old = try? DocumentLoader.load(tree: tree, name: file).endpoint else { continue }
            let new = try DocumentLoader.load(tree: LegacyRestyle.document(tree), name: file).endpoint
            let before = Generator.generate(endpoints: [old])
            let after = Generator.generate(endpoints: [new], lock: before.names)
            compared += 1
            if Self.code(after.files) != Self.code(before.files) { changed.append(file) }
        }
        print("restyled \(compared) corpus documents; generated code changed in \(changed.count)")
        #expect(compared > 400)
        #expect(changed.isEmpty, "\(changed)")
    }

    /// Every `x-fal-order-properties` of every current corpus document reversed (and `properties` with it): with the
    /// lock, the public API (initializer labels and their order included) is what it was.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FAL_CORPUS"] != nil))
    func corpusReorderedKeepsEveryInitializer() throws {
        let folder = try #require(ProcessInfo.processInfo.environment["FAL_CORPUS"])
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".legacy.json") && !$0.hasSuffix(".schemas-only.json") }.sorted()
        var changed: [String] = [], unlockedChanged = 0, compared = 0
        for file in files {
            let tree = try OrderedJSONReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))))
            guard let old = try? DocumentLoader.load(tree: tree, name: file).endpoint else { continue }
            let new = try DocumentLoader.load(tree: Self.reversingPropertyOrder(tree), name: file).endpoint
            let before = Self.surface([old], lock: nil)
            compared += 1
            if Self.surface([new], lock: nil) != before { unlockedChanged += 1 }
            if Self.surface([new], lock: Generator.names(for: [old])) != before { changed.append(file) }
        }
        print("reordered \(compared) corpus documents; API changed in \(changed.count) with the lock, \(unlockedChanged) without")
        #expect(unlockedChanged > 0, "the reorder must move something without the lock")
        #expect(changed.isEmpty, "\(changed)")
    }

    static func reversingPropertyOrder(_ value: OrderedJSON) -> OrderedJSON {
        switch value {
        case .array(let items): return .array(items.map(reversingPropertyOrder))
        case .object(let members):
            return .object(members.map { member in
                switch member.key {
                case "x-fal-order-properties": return (key: member.key, value: .array((member.value.items ?? []).reversed()))
                case "properties": return (key: member.key, value: .object((member.value.members ?? []).reversed().map {
                    (key: $0.key, value: reversingPropertyOrder($0.value))
                }))
                default: return (key: member.key, value: reversingPropertyOrder(member.value))
                }
            })
        default: return value
        }
    }
}
