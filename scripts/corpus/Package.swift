// swift-tools-version: 6.1
// Scratch package for `make corpus` (copied to .corpus-out/ by scripts/corpus.sh): the generated code of the
// whole corpus as two modules (current documents, and the legacy twins in their own run), checked by two
// small executables that depend only on this repository's FalRuntime and FalCodegen.
import PackageDescription

let package = Package(
    name: "CorpusCheck",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "FalSDK", path: "..")],
    targets: [
        .target(name: "Corpus", dependencies: [.product(name: "FalRuntime", package: "FalSDK")]),
        .target(name: "CorpusLegacy", dependencies: [.product(name: "FalRuntime", package: "FalSDK")]),
        .target(name: "CorpusCheck", dependencies: [.product(name: "FalCodegen", package: "FalSDK")]),
        .executableTarget(name: "check-current", dependencies: ["Corpus", "CorpusCheck"]),
        .executableTarget(name: "check-legacy", dependencies: ["CorpusLegacy", "CorpusCheck"]),
    ],
    swiftLanguageModes: [.v6]
)
