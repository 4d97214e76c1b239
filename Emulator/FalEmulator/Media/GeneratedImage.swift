import FalCore
import Foundation

/// An image the emulator "generated": described by its size and seed, rendered to PNG only when downloaded,
/// so thousands of outputs cost no memory. The description is encoded in the file's URL path.
struct GeneratedImage: Sendable, Hashable {
    var width: Int
    var height: Int
    var seed: UInt64
    var index: Int

    /// Largest side rendered: fal's own schema maximum. Files are streamed, so size costs time, not memory.
    static let maxSide = 14_142

    var fileName: String { "\(seed)-\(index)-\(width)x\(height).png" }
    var byteCount: Int { PNGEncoder.encodedSize(width: width, height: height) }

    /// Path component after `/cdn/files/generated/`.
    var pathComponent: String { fileName }

    init(width: Int, height: Int, seed: UInt64, index: Int) {
        self.width = min(max(width, 1), Self.maxSide)
        self.height = min(max(height, 1), Self.maxSide)
        self.seed = seed
        self.index = index
    }

    /// Parses `"<seed>-<index>-<w>x<h>.png"`.
    init?(fileName: String) {
        guard fileName.hasSuffix(".png") else { return nil }
        let parts = fileName.dropLast(4).split(separator: "-")
        guard parts.count == 3, let seed = UInt64(parts[0]), let index = Int(parts[1]) else { return nil }
        let size = parts[2].split(separator: "x")
        guard size.count == 2, let width = Int(size[0]), let height = Int(size[1]),
            (1...Self.maxSide).contains(width), (1...Self.maxSide).contains(height)
        else { return nil }
        self.init(width: width, height: height, seed: seed, index: index)
    }

    /// A diagonal gradient tinted by the seed, with a checker overlay: visibly an image, deterministic per seed.
    func fillRow(_ y: Int, _ pixels: inout [UInt8]) {
        var random = SeededRandom(seed: seed &+ UInt64(index))
        let tint = (UInt8(truncatingIfNeeded: random.next()), UInt8(truncatingIfNeeded: random.next()), UInt8(truncatingIfNeeded: random.next()))
        let cell = max(8, min(width, height) / 8)
        let green = UInt8(truncatingIfNeeded: y * 255 / max(height - 1, 1)) &+ tint.1
        for x in 0..<width {
            let checker: UInt8 = ((x / cell) + (y / cell)) % 2 == 0 ? 0 : 48
            pixels[3 * x] = UInt8(truncatingIfNeeded: x * 255 / max(width - 1, 1)) &+ tint.0 &+ checker
            pixels[3 * x + 1] = green
            pixels[3 * x + 2] = tint.2 &+ checker
        }
    }

    func encoder() -> PNGEncoder { PNGEncoder(width: width, height: height, row: fillRow) }

    func png() -> Data { PNGEncoder.encode(width: width, height: height, row: fillRow) }
}
