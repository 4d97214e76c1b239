// swift-tools-version: 6.1
import PackageDescription

// Folders show the architecture:
//   Runtime/    hand-written: FalCore (values, validation rules, errors), CCurl + CCurlShim (libcurl), FalRuntime (client)
//   Generator/  FalCodegen (parse → IR → render) and the `fal-codegen` CLI
//   Generated/  FalSDK: generator output, checked in, golden-tested
//   Emulator/   FalEmulator (offline fal look-alike) and the `fal-emulator` CLI
//   Proxy/      FalProxy (the server half of proxy mode: keeps the key on the app's server) and its Hummingbird
//               adapter; the Vapor adapter is its own package, Integrations/FalProxyVapor (kept out of this build)
//   Plugins/    FalCodegenPlugin (build tool) and FalCodegenCommand (`swift package fal-codegen`)
//   Demo/       `fal-demo`, what `make demo` runs
//   Examples/   a user's package that depends on this one by path (built and run by `make test`)
let package = Package(
    name: "FalSDK",
    // iOS, tvOS, watchOS and visionOS build FalRuntime over URLSession (no libcurl there; see README "Platforms").
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2)],
    products: [
        .library(name: "FalSDK", targets: ["FalSDK"]),
        .library(name: "FalRuntime", targets: ["FalRuntime"]),
        .library(name: "FalCodegen", targets: ["FalCodegen"]),
        .library(name: "FalEmulator", targets: ["FalEmulator"]),
        .library(name: "FalProxy", targets: ["FalProxy"]),
        .library(name: "FalProxyHummingbird", targets: ["FalProxyHummingbird"]),
        .executable(name: "fal-codegen", targets: ["fal-codegen"]),
        .executable(name: "fal-emulator", targets: ["fal-emulator"]),
        .executable(name: "fal-demo", targets: ["fal-demo"]),
        // Use the generator from your own package: see README, "Use it in your own package".
        .plugin(name: "FalCodegenPlugin", targets: ["FalCodegenPlugin"]),
        .plugin(name: "FalCodegenCommand", targets: ["FalCodegenCommand"]),
    ],
    // On by default. Off (`traits: []` on the dependency, or `--disable-default-traits` here), FalRuntime is
    // built as on iOS: no libcurl, and `FalClient()` uses `URLSessionTransport` (README, "Platforms").
    traits: [
        .default(enabledTraits: ["LibcurlTransport"]),
        .trait(
            name: "LibcurlTransport",
            description: "libcurl is FalRuntime's default transport on Linux and macOS, and fal-codegen downloads with it (needs libcurl's headers on Linux)."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // The emulator's realtime WebSocket server (HummingbirdWebSocket only: its client product, which pulls
        // in swift-nio-ssl, is used nowhere).
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // `swift package generate-documentation` (`make docs`); a plugin only, nothing is linked.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: Runtime
        .target(name: "FalCore", path: "Runtime/FalCore"),
        .systemLibrary(
            name: "CCurl", path: "Runtime/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        // libdl: dlopen/dlsym (tls_read_ahead.c), in libc itself since glibc 2.34, a separate library before.
        .target(
            name: "CCurlShim", dependencies: ["CCurl"], path: "Runtime/CCurlShim",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // libcurl is the transport on Linux and macOS only, with the LibcurlTransport trait (the default); the
        // sources test `canImport(CCurlShim)`.
        .target(
            name: "FalRuntime",
            dependencies: [
                "FalCore",
                .target(name: "CCurlShim", condition: .when(platforms: [.linux, .macOS], traits: ["LibcurlTransport"])),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Runtime/FalRuntime"),

        // MARK: Generator
        .target(
            name: "FalCodegen",
            dependencies: ["FalCore"],
            path: "Generator/FalCodegen"),
        .executableTarget(
            name: "fal-codegen",
            // libcurl (through the runtime's small C shim) for fetch's bounded downloads; URLSession without the trait.
            dependencies: [
                "FalCodegen", .target(name: "CCurlShim", condition: .when(traits: ["LibcurlTransport"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Generator/fal-codegen"),

        // MARK: Plugins (Plugins/): the generator in a user's package
        .plugin(
            name: "FalCodegenPlugin", capability: .buildTool(), dependencies: ["fal-codegen"],
            path: "Plugins/FalCodegenPlugin"),
        .plugin(
            name: "FalCodegenCommand",
            capability: .command(
                intent: .custom(verb: "fal-codegen", description: "Search, add, fetch, update and diff fal OpenAPI documents (fal-codegen)"),
                permissions: [
                    .writeToPackageDirectory(reason: "stores fal OpenAPI documents in the target's fal-openapi/ folder"),
                    .allowNetworkConnections(scope: .all(), reason: "downloads endpoint documents from fal.ai"),
                ]),
            dependencies: ["fal-codegen"], path: "Plugins/FalCodegenCommand"),

        // MARK: Generated SDK
        .target(name: "FalSDK", dependencies: ["FalRuntime"], path: "Generated/FalSDK"),

        // MARK: Emulator
        .target(
            name: "FalEmulator",
            dependencies: [
                "FalCodegen", "FalCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Emulator/FalEmulator"),
        .executableTarget(
            name: "fal-emulator",
            dependencies: ["FalEmulator", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Emulator/fal-emulator"),

        // MARK: Proxy (issue 19): framework-neutral core, no NIO in its API; Hummingbird adapter beside it
        .target(
            name: "FalProxy", dependencies: ["FalRuntime", .product(name: "Logging", package: "swift-log")],
            path: "Proxy/FalProxy"),
        .target(
            name: "FalProxyHummingbird",
            dependencies: ["FalProxy", "FalRuntime", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Proxy/FalProxyHummingbird"),
        .executableTarget(
            name: "fal-bench-proxy",
            dependencies: ["FalProxy", "FalProxyHummingbird", "FalSDK", "BenchmarkSupport"], path: "Benchmarks/proxy"),

        // MARK: Demo
        .executableTarget(name: "fal-demo", dependencies: ["FalSDK"], path: "Demo", exclude: ["Assets"]),

        // MARK: Benchmarks
        .target(name: "BenchmarkSupport", path: "Benchmarks/support"),
        .executableTarget(
            name: "fal-bench-runtime", dependencies: ["FalSDK", "CCurlShim", "BenchmarkSupport"], path: "Benchmarks/runtime", exclude: ["peers"]),

        // MARK: Tests
        .testTarget(name: "FalCoreTests", dependencies: ["FalCore"], path: "Tests/FalCoreTests"),
        .testTarget(name: "FalCodegenTests", dependencies: ["FalCodegen"], path: "Tests/FalCodegenTests"),
        .testTarget(name: "OracleTests", dependencies: ["FalSDK", "HostileFixture"], path: "Tests/OracleTests"),
        // fal-codegen's output for Tests/Fixtures/hostile (`make hostile-fixture`), compiled to prove it builds.
        .target(name: "HostileFixture", dependencies: ["FalRuntime"], path: "Tests/HostileFixture"),
        .testTarget(
            name: "HostileSchemaTests", dependencies: ["HostileFixture", "FalCodegen"], path: "Tests/HostileSchemaTests"),
        .testTarget(
            name: "FalEmulatorTests",
            dependencies: [
                "FalEmulator", "FalCore", "FalCodegen",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/FalEmulatorTests"),
        .testTarget(
            name: "EndToEndTests", dependencies: ["FalSDK", "FalEmulator", .product(name: "Logging", package: "swift-log")],
            path: "Tests/EndToEndTests"),
        .testTarget(name: "FalSDKTests", dependencies: ["FalSDK", "FalCodegen", "FalEmulator"], path: "Tests/FalSDKTests"),
        // What more than one test target needs (peak RSS from /proc).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "FalRuntimeTests",
            dependencies: [
                "FalRuntime", "FalEmulator", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/FalRuntimeTests", exclude: ["Fixtures"]),
        .testTarget(
            name: "FalProxyTests",
            dependencies: [
                "FalProxy", "FalProxyHummingbird", "FalSDK", "FalEmulator", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/FalProxyTests"),
        // Generated from Tests/Fixtures/openapi (a corpus subset covering every construct), golden-checked.
        .target(name: "CorpusFixtures", dependencies: ["FalRuntime"], path: "Tests/CorpusFixtures"),
        .testTarget(name: "CorpusFixturesTests", dependencies: ["CorpusFixtures", "FalCodegen", "FalEmulator"], path: "Tests/CorpusFixturesTests"),
    ],
    swiftLanguageModes: [.v6]
)
