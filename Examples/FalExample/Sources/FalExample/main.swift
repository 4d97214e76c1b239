import Foundation
import VideoUpscaling

// Runs against fal-emulator when FAL_BASE_URL points at one, and against fal with FAL_KEY otherwise.
let environment = ProcessInfo.processInfo.environment
guard environment["FAL_BASE_URL"] != nil || environment["FAL_KEY"] != nil else {
    FileHandle.standardError.write(Data("Set FAL_BASE_URL to a fal-emulator (make emulator) or FAL_KEY to call fal.\n".utf8))
    exit(2)
}
let fal = FalClient(configuration: .fromEnvironment())

do {
    // 1. An image, typed from fal-openapi/fal-ai__luma-photon.json.
    let still = try await fal.lumaPhoton.subscribe(
        .init(prompt: "a lighthouse on a cliff at dawn, volumetric light", aspectRatio: ._16_9),
        logs: true,
        onQueueUpdate: { status in
            switch status {
            case .inQueue(let position): print("luma-photon: queued, position \(position)")
            case .inProgress(let logs): print("luma-photon: \(logs.last?.message ?? "running")")
            case .completed: print("luma-photon: completed")
            }
        })
    guard let image = still.images.first else { throw ExampleFailure("luma-photon returned no image") }
    print("image: \(image.url)")

    // 2. A video from that image (an output file is an input file: FalFile(image)), typed from fal-openapi/fal-ai__minimax__video-01__image-to-video.json.
    let clip = try await fal.minimaxVideo01ImageToVideo.subscribe(
        .init(prompt: "slow dolly-in, waves crashing below", imageURL: FalFile(image)))
    print("video: \(clip.video.url)")

    // 3. Upscaled by the VideoUpscaling target, which generates its own endpoint.
    let upscaled = try await upscale(FalFile(clip.video), with: fal)
    print("upscaled: \(upscaled.video.url)")

    // 4. Realtime, typed from fal-openapi/fal-ai__fast-sdxl__image-to-image.json: thirty frames sent faster than
    // the throttle; the first goes at once, the last is always sent, and their answers come back with the bytes.
    let connection = try await fal.fastSDXLImageToImage.realtime(throttle: .milliseconds(50))
    let frame = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10])
    for n in 0..<30 {
        try await connection.send(FastSDXLImageToImage.Input(imageURL: .data(frame, contentType: "image/jpeg"), prompt: "a cat \(n)", syncMode: true))
    }
    var answered: [String] = []
    for try await output in connection.outputs {
        answered.append(output.prompt)
        if output.prompt == "a cat 29" { break }
    }
    await connection.close()
    print("realtime: \(answered.count) answers for 30 frames, the last for \"\(answered.last ?? "")\", \(answered.count <= 3 ? "throttled" : "NOT throttled")")
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}

struct ExampleFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
