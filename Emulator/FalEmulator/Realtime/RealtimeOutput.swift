import FalCore
import Foundation

/// A realtime result: the output the queue path fabricates for the same input (`OutputFabricator`: `prompt`
/// and `seed` echoed, images sized from `image_size`, …), plus `request_id`, as one MessagePack map.
///
/// With `sync_mode: true`, every generated file in it (an object whose `url` points at the emulator's
/// `/cdn/files/generated/…`) carries its bytes instead: `url` is replaced by `content` (MessagePack `bin`),
/// next to the `content_type`, `width`, `height` (and `file_name`, `file_size`) the fabricator already wrote,
/// as fal's realtime apps answer. The size is known before anything is rendered, so a result that would pass
/// the message limit is refused (`OUTPUT_TOO_LARGE`) without rendering it.
struct RealtimeOutput: Sendable {
    let state: EmulatorState
    let endpoint: EmulatedEndpoint

    /// Room kept for the rest of the result beside the inlined files.
    static let envelopeBytes = 1 << 20

    /// Writes the result's MessagePack bytes into `writer` (emptied first), or returns the text frame that
    /// refuses it. The session keeps one writer for all its results: a 768 KiB answer is then written into
    /// memory already there, not into a buffer that grows and is copied four times over (measured with perf:
    /// those copies and their page faults were the emulator's largest cost per result).
    func encode(_ input: RealtimeInput, into writer: inout MessagePackWriter) -> RealtimeInput.Refusal? {
        writer.removeAll()
        let fabricated = state.fabricator.fabricate(endpoint.endpoint, input: input.value)
        var entries = MessagePackValue(fabricated).mapValue ?? []
        entries.removeAll { $0.key == "request_id" }
        entries.append((key: "request_id", value: .string(input.requestID)))
        var result = MessagePackValue.map(entries)
        let limit = state.configuration.realtimeMaxMessageBytes
        if input.syncMode {
            let needed = inlinedBytes(result)
            guard needed <= limit - Self.envelopeBytes else {
                let reason = "sync_mode result would carry \(needed) bytes of files; the realtime message limit is \(limit) bytes"
                return .init(frame: RealtimeFrames.error("OUTPUT_TOO_LARGE", reason: reason, requestID: input.requestID))
            }
            result = inline(result)
        }
        writer.write(result)
        guard writer.bytes.count <= limit else {
            let reason = "the result is \(writer.bytes.count) bytes; the realtime message limit is \(limit) bytes"
            writer.removeAll()
            return .init(frame: RealtimeFrames.error("OUTPUT_TOO_LARGE", reason: reason, requestID: input.requestID))
        }
        return nil
    }

    // MARK: sync_mode

    /// A generated file named by a URL the emulator handed out.
    private enum Generated {
        case image(GeneratedImage)
        case file(GeneratedFile)

        var byteCount: Int {
            switch self {
            case .image(let image): return image.byteCount
            case .file(let file): return file.bytes.count
            }
        }

        func bytes(_ cache: RenderedImageCache) -> Data {
            switch self {
            case .image(let image): return cache.png(image)
            case .file(let file): return file.bytes
            }
        }
    }

    private var generatedPrefix: String { state.cdnBase + "/files/generated/" }

    private func generated(_ url: MessagePackValue?) -> Generated? {
        guard let url = url?.stringValue, url.hasPrefix(generatedPrefix) else { return nil }
        let name = String(url.dropFirst(generatedPrefix.count))
        if let image = GeneratedImage(fileName: name) { return .image(image) }
        return GeneratedFile(fileName: name).map(Generated.file)
    }

    /// Bytes the inlined files will take, computed without rendering them.
    private func inlinedBytes(_ value: MessagePackValue, depth: Int = 0) -> Int {
        guard depth < 64 else { return 0 }
        switch value {
        case .map(let entries):
            if let file = generated(value["url"]) { return file.byteCount }
            return entries.reduce(0) { $0 + inlinedBytes($1.value, depth: depth + 1) }
        case .array(let items):
            return items.reduce(0) { $0 + inlinedBytes($1, depth: depth + 1) }
        default:
            return 0
        }
    }

    private func inline(_ value: MessagePackValue, depth: Int = 0) -> MessagePackValue {
        guard depth < 64 else { return value }
        switch value {
        case .map(let entries):
            if let file = generated(value["url"]) {
                return .map(entries.map { $0.key == "url" ? (key: "content", value: .binary(file.bytes(state.renderedImages))) : $0 })
            }
            return .map(entries.map { (key: $0.key, value: inline($0.value, depth: depth + 1)) })
        case .array(let items):
            return .array(items.map { inline($0, depth: depth + 1) })
        default:
            return value
        }
    }
}
