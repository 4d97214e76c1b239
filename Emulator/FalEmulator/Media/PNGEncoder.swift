import Foundation

/// Writes 8-bit RGB PNG files without a compression library: the zlib stream uses stored (uncompressed)
/// deflate blocks, which every PNG decoder accepts. Sizes are therefore exact and known in advance, and a
/// file is produced piece by piece in constant memory (the single IDAT chunk's CRC follows its data).
struct PNGEncoder: IteratorProtocol {
    private static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private static let maxStoredBlock = 65_535

    /// The encoded size of a `width`×`height` image, without encoding it (for `file_size` and Content-Length).
    static func encodedSize(width: Int, height: Int) -> Int {
        signature.count + (12 + 13) + (12 + zlibSize(width: width, height: height)) + 12
    }

    private static func zlibSize(width: Int, height: Int) -> Int {
        let raw = height * (1 + 3 * width)
        let blocks = max(1, (raw + maxStoredBlock - 1) / maxStoredBlock)
        return 2 + raw + 5 * blocks + 4
    }

    /// The whole file in memory (tests and small images).
    static func encode(width: Int, height: Int, row: @escaping (Int, inout [UInt8]) -> Void) -> Data {
        var output = Data(capacity: encodedSize(width: width, height: height))
        var encoder = PNGEncoder(width: width, height: height, row: row)
        while let piece = encoder.next() { output.append(contentsOf: piece) }
        return output
    }

    private enum Stage { case header, body, trailer, done }

    private let width: Int
    private let height: Int
    /// Fills `3 * width` RGB bytes for row `y`.
    private let row: (Int, inout [UInt8]) -> Void
    private var stage = Stage.header
    private var nextRow = 0
    private var line: [UInt8] = []
    private var lineOffset = 0
    private var pixels: [UInt8]
    private var rawRemaining: Int
    private var crc: UInt32 = 0
    private var adler = Checksums.Adler32()

    init(width: Int, height: Int, row: @escaping (Int, inout [UInt8]) -> Void) {
        precondition(width > 0 && height > 0, "PNG dimensions must be positive")
        self.width = width
        self.height = height
        self.row = row
        pixels = [UInt8](repeating: 0, count: 3 * width)
        rawRemaining = height * (1 + 3 * width)
    }

    /// The next piece of the file (at most one stored block, ~64 KiB), or nil when complete.
    mutating func next() -> [UInt8]? {
        switch stage {
        case .header:
            stage = .body
            var header = Self.signature
            var ihdr = [UInt8]()
            ihdr.appendBigEndian(UInt32(width))
            ihdr.appendBigEndian(UInt32(height))
            ihdr.append(contentsOf: [8, 2, 0, 0, 0])  // depth 8, RGB, deflate, adaptive filter, no interlace
            Self.appendChunk("IHDR", ihdr, to: &header)
            header.appendBigEndian(UInt32(Self.zlibSize(width: width, height: height)))
            let idat: [UInt8] = Array("IDAT".utf8) + [0x78, 0x01]  // zlib: deflate, 32K window, check bits valid
            crc = Checksums.crc32(idat)
            return header + idat
        case .body:
            let piece = storedBlock()
            crc = Checksums.crc32(piece, continuing: crc)
            if rawRemaining == 0 { stage = .trailer }
            return piece
        case .trailer:
            stage = .done
            var trailer = [UInt8]()
            trailer.appendBigEndian(adler.value)
            crc = Checksums.crc32(trailer, continuing: crc)
            trailer.appendBigEndian(crc)
            Self.appendChunk("IEND", [], to: &trailer)
            return trailer
        case .done:
            return nil
        }
    }

    /// One stored deflate block of up to 65535 raw bytes, cut across row boundaries as needed.
    private mutating func storedBlock() -> [UInt8] {
        let length = min(Self.maxStoredBlock, rawRemaining)
        rawRemaining -= length
        var block: [UInt8] = [rawRemaining == 0 ? 1 : 0, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
        block.reserveCapacity(5 + length)
        var needed = length
        while needed > 0 {
            if lineOffset == line.count {
                row(nextRow, &pixels)
                nextRow += 1
                line = [0] + pixels  // filter type None
                lineOffset = 0
                adler.update(line)
            }
            let take = min(needed, line.count - lineOffset)
            block.append(contentsOf: line[lineOffset..<lineOffset + take])
            lineOffset += take
            needed -= take
        }
        return block
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to output: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        output.appendBigEndian(UInt32(data.count))
        output.append(contentsOf: typeBytes)
        output.append(contentsOf: data)
        output.appendBigEndian(Checksums.crc32(data, continuing: Checksums.crc32(typeBytes)))
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF))
        append(UInt8(value & 0xFF))
    }
}
