import Foundation
import Synchronization

/// The PNG bytes of the images realtime answers inline, kept for the next result that names the same image.
///
/// A realtime app streaming to one seed gets the same image in every result; rendering it again each time
/// (a 512×512 PNG: 768 KiB filled, checksummed and framed) made the emulator, not the client, the larger part
/// of `make bench-realtime`'s round trip. Bounded: images over `maxImageBytes` are not kept, and the oldest
/// go once `capacityBytes` is reached.
final class RenderedImageCache: Sendable {
    private struct State {
        var images: [GeneratedImage: Data] = [:]
        var order: [GeneratedImage] = []
        var bytes = 0
    }

    let capacityBytes: Int
    let maxImageBytes: Int
    private let box = Mutex(State())

    init(capacityBytes: Int = 32 << 20, maxImageBytes: Int = 4 << 20) {
        self.capacityBytes = capacityBytes
        self.maxImageBytes = maxImageBytes
    }

    /// The image's PNG, rendered once while it stays in the cache.
    func png(_ image: GeneratedImage) -> Data {
        if let cached = box.withLock({ $0.images[image] }) { return cached }
        let rendered = image.png()
        guard rendered.count <= maxImageBytes else { return rendered }
        box.withLock { state in
            guard state.images[image] == nil else { return }
            state.images[image] = rendered
            state.order.append(image)
            state.bytes += rendered.count
            while state.bytes > capacityBytes, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                state.bytes -= state.images.removeValue(forKey: oldest)?.count ?? 0
            }
        }
        return rendered
    }

    /// How many images and bytes are kept (for tests).
    var usage: (images: Int, bytes: Int) { box.withLock { ($0.images.count, $0.bytes) } }
}
