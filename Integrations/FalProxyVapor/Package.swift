// swift-tools-version: 6.1
import PackageDescription

// The Vapor 4 adapter of FalProxy, in a package of its own: Vapor costs minutes of cold build, which users
// of the main package (and its `make test` builds) must not pay. It depends on the main package by path.
// `make vapor-proxy` (part of `make test`) builds it and runs its end-to-end suite once.
let package = Package(
    name: "FalProxyVapor",
    platforms: [.macOS(.v15)],
    products: [.library(name: "FalProxyVapor", targets: ["FalProxyVapor"])],
    dependencies: [
        .package(name: "FalSDK", path: "../.."),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
    ],
    targets: [
        .target(
            name: "FalProxyVapor",
            dependencies: [
                .product(name: "FalProxy", package: "FalSDK"), .product(name: "FalRuntime", package: "FalSDK"),
                .product(name: "Vapor", package: "vapor"),
            ]),
        .testTarget(
            name: "FalProxyVaporTests",
            dependencies: [
                "FalProxyVapor", .product(name: "FalSDK", package: "FalSDK"),
                .product(name: "Vapor", package: "vapor"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
