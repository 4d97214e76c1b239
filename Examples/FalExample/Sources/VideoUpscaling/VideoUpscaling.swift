import FalRuntime

/// Doubles a video's resolution with `fal-ai/video-upscaler`, whose typed API this target generates from
/// `fal-openapi/fal-ai__video-upscaler.json`.
public func upscale(_ video: FalFile, with fal: FalClient) async throws(FalError) -> VideoUpscaler.Output {
    try await fal.videoUpscaler.subscribe(.init(videoURL: video, scale: 2))
}
