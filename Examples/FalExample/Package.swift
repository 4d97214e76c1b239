// swift-tools-version: 6.1
import PackageDescription

// A user's package: it depends on the fal SDK by path (use the repository URL in your own) and lists
// FalCodegenPlugin on each target that holds fal OpenAPI documents in its `fal-openapi/` folder.
let package = Package(
    name: "FalExample",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "FalSDK", path: "../.."),
    ],
    targets: [
        // Text → image → video: fal-ai/luma-photon and fal-ai/minimax/video-01/image-to-video.
        .executableTarget(
            name: "FalExample",
            dependencies: [.product(name: "FalRuntime", package: "FalSDK"), "VideoUpscaling"],
            plugins: [.plugin(name: "FalCodegenPlugin", package: "FalSDK")]),
        // A second target with its own documents (fal-ai/video-upscaler): each target generates its own endpoints.
        .target(
            name: "VideoUpscaling",
            dependencies: [.product(name: "FalRuntime", package: "FalSDK")],
            plugins: [.plugin(name: "FalCodegenPlugin", package: "FalSDK")]),
    ],
    swiftLanguageModes: [.v6]
)
