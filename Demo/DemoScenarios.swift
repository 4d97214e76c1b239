import FalSDK
import Foundation

/// The demo's steps, each one SDK call a newcomer would write.
struct DemoScenarios {
    let fal: FalClient
    let output: OutputWriter
    let imagePath: String
    /// Set when running against the emulator, whose request log proves what was sent.
    let probe: EmulatorProbe?

    func run() async throws {
        guard FileManager.default.fileExists(atPath: imagePath) else { throw DemoFailure("no image at \(imagePath)") }
        let localImage = FalFile.localFile(path: imagePath, contentType: "image/png")

        try await validationErrorBeforeAnyRequest(localImage)
        try await illusionDiffusion(localImage)
        try await fastSdxl(localImage)
        try await differentialDiffusion(localImage)
        try await lora(localImage)
        try await realtime()
    }

    /// A custom `image_size` whose width is not a multiple of 8 is refused locally, naming the field.
    private func validationErrorBeforeAnyRequest(_ image: FalFile) async throws {
        print("\n1. Validation before any request: image_size 1001x512 for fal-ai/illusion-diffusion")
        let bad = IllusionDiffusion.Input(imageURL: image, prompt: "a medieval village", imageSize: .custom(.init(width: 1001, height: 512)))
        let before = try await probe?.counts().total
        do {
            _ = try await fal.illusionDiffusion.subscribe(bad)
        } catch .validation(let issues) {
            for issue in issues { print("   refused locally: \(issue)") }
            if let before, let after = try await probe?.counts().total {
                print("   requests the emulator received meanwhile: \(after - before)")
            } else {
                print("   (nothing was uploaded or sent)")
            }
            return
        }
        throw DemoFailure("the invalid input was accepted")
    }

    private func illusionDiffusion(_ image: FalFile) async throws {
        print("\n2. fal-ai/illusion-diffusion (the local image is uploaded automatically)")
        let progress = ProgressPrinter(label: "illusion-diffusion")
        let uploadsBefore = try await probe?.counts().byOperation["upload"] ?? 0
        let result = try await fal.illusionDiffusion.subscribe(
            .init(imageURL: image, prompt: "(masterpiece:1.4), medieval village scene with busy streets and castle in the distance",
                  seed: 42, imageSize: .square),
            logs: true, onQueueUpdate: progress.update, onEnqueue: progress.enqueued)
        if let uploads = try await probe?.counts().byOperation["upload"] {
            print("   \(imagePath) went to fal storage first (\(uploads - uploadsBefore) upload request(s)), then its URL was submitted")
        }
        try await save(result, name: "illusion-diffusion", images: [result.image.url])
        print("   seed \(result.seed), image \(result.image.width ?? 0)x\(result.image.height ?? 0)")
    }

    private func fastSdxl(_ image: FalFile) async throws {
        print("\n3. fal-ai/fast-sdxl/image-to-image")
        let progress = ProgressPrinter(label: "fast-sdxl")
        let result = try await fal.fastSDXLImageToImage.subscribe(
            .init(imageURL: image, prompt: "an island near sea, with seagulls, moon shining over the sea", numImages: 2, imageSize: .landscape4_3),
            logs: true, onQueueUpdate: progress.update, onEnqueue: progress.enqueued)
        try await save(result, name: "fast-sdxl-image-to-image", images: result.images.map(\.url))
        print("   \(result.images.count) images, seed \(result.seed)")
    }

    private func differentialDiffusion(_ image: FalFile) async throws {
        print("\n4. fal-ai/flux-differential-diffusion")
        let progress = ProgressPrinter(label: "flux-differential-diffusion")
        let result = try await fal.fluxDifferentialDiffusion.subscribe(
            .init(prompt: "tree of life under the sea, ethereal, glittering", imageURL: image, changeMapImageURL: image, seed: 7),
            logs: true, onQueueUpdate: progress.update, onEnqueue: progress.enqueued)
        try await save(result, name: "flux-differential-diffusion", images: result.images.map(\.url))
        print("   \(result.images.count) image(s), seed \(result.seed)")
    }

    private func lora(_ image: FalFile) async throws {
        print("\n5. fal-ai/lora/image-to-image")
        let progress = ProgressPrinter(label: "lora")
        let result = try await fal.loraImageToImage.subscribe(
            .init(modelName: "stabilityai/stable-diffusion-xl-base-1.0", prompt: "photo of a rhino dressed suit and tie sitting at a table in a bar",
                  imageURL: image, numImages: 1),
            logs: true, onQueueUpdate: progress.update, onEnqueue: progress.enqueued)
        try await save(result, name: "lora-image-to-image", images: result.images.map(\.url))
        print("   \(result.images.count) image(s), seed \(result.seed)")
    }

    /// fal's realtime protocol, as a camera app uses it: frames stream over one WebSocket, each answered with
    /// an image (as bytes: `syncMode`). Throttle zero, so every frame goes; a camera loop would keep the default.
    private func realtime() async throws {
        let frames = 60
        print("\n6. Realtime: \(frames) frames streamed to fal-ai/fast-sdxl/image-to-image over one WebSocket")
        #if os(Linux)
        // Without libcurl (the LibcurlTransport trait off) the WebSocket is URLSessionWebSocketTask, which Linux's
        // FoundationNetworking cannot open ("WebSockets not supported by libcurl"): nothing to show there.
        if fal.transport is URLSessionTransport {
            print("   skipped: URLSessionWebSocketTask does not work on Linux; realtime needs the LibcurlTransport trait here")
            return
        }
        #endif
        let frame = try Data(contentsOf: URL(fileURLWithPath: imagePath))
        let connection = try await fal.fastSDXLImageToImage.realtime(throttle: .zero)
        var outputs = connection.outputs.makeAsyncIterator()
        var latencies: [Duration] = []
        let started = ContinuousClock.now
        for n in 0..<frames {
            let sent = ContinuousClock.now
            try await connection.send(.init(imageURL: .data(frame, contentType: "image/png"), prompt: "a cat, frame \(n)", seed: n, syncMode: true))
            guard let result = try await outputs.next() else { throw DemoFailure("the realtime connection closed") }
            latencies.append(sent.duration(to: .now))
            guard result.seed == n, let bytes = result.images.first?.content, !bytes.isEmpty else {
                throw DemoFailure("frame \(n) was answered with seed \(result.seed) and \(result.images.first?.content?.count ?? 0) image bytes")
            }
        }
        let elapsed = started.duration(to: .now)
        await connection.close()
        let sorted = latencies.sorted()
        func ms(_ duration: Duration) -> String { String(format: "%.1f ms", duration.inSecondsForDemo * 1000) }
        print("   \(frames) frames answered in \(ms(elapsed)): \(String(format: "%.0f", Double(frames) / elapsed.inSecondsForDemo)) frames per second, "
              + "latency p50 \(ms(sorted[sorted.count / 2])), p99 \(ms(sorted[sorted.count * 99 / 100]))")
        print("   each answer carried its image as bytes (\(frame.count) bytes sent per frame, inline as a data: URI)")
    }

    private func save<Output: Encodable>(_ result: Output, name: String, images: [String]) async throws {
        let json = try output.writeJSON(result, name: name)
        print("   wrote \(json.lastPathComponent)")
        for (index, url) in images.enumerated() {
            let file = try await output.download(url, name: images.count == 1 ? name : "\(name)-\(index + 1)")
            print("   wrote \(file.lastPathComponent)")
        }
    }
}

extension Duration {
    /// Seconds as a `Double`, for the demo's figures.
    var inSecondsForDemo: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
