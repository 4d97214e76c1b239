import Foundation

/// Writes 8-bit RGB PNG files without a compression library: the zlib stream uses stored (uncompressed)
/// deflate blocks, which every PNG decoder accepts. Sizes are therefore exact and known in advance.
enum PNGEncoder {
    private static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private static let maxStoredBlock = 65_535

    /// The encoded size of a `width`×`height` image, without encoding it (for `file_size` in outputs).
    static func encodedSize(width: Int, height: Int) -> Int {
        let raw = height * (1 + 3 * width)
        let blocks = max(1, (raw + maxStoredBlock - 1) / maxStoredBlock)
        let zlib = 2 + raw + 5 * blocks + 4
        return signature.count + (12 + 13) + (12 + zlib) + 12
    }

    /// Encodes an image whose pixels come from `pixel(x, y)` → (r, g, b).
    static func encode(width: Int, height: Int, pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> Data {
        precondition(width > 0 && height > 0, "PNG dimensions must be positive")
        var raw = [UInt8]()
        raw.reserveCapacity(height * (1 + 3 * width))
        for y in 0..<height {
            raw.append(0)  // filter type None
            for x in 0..<width {
                let (r, g, b) = pixel(x, y)
                raw.append(r)
                raw.append(g)
                raw.append(b)
            }
        }

        var output = Data(capacity: encodedSize(width: width, height: height))
        output.append(contentsOf: signature)

        var header = [UInt8]()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header.append(contentsOf: [8, 2, 0, 0, 0])  // depth 8, colour type RGB, deflate, adaptive filter, no interlace
        appendChunk("IHDR", header, to: &output)
        appendChunk("IDAT", zlibStored(raw), to: &output)
        appendChunk("IEND", [], to: &output)
        return output
    }

    private static func zlibStored(_ raw: [UInt8]) -> [UInt8] {
        var stream: [UInt8] = [0x78, 0x01]  // deflate, 32K window, no preset dictionary, check bits valid
        stream.reserveCapacity(raw.count + 5 * (raw.count / maxStoredBlock + 1) + 6)
        var offset = 0
        repeat {
            let length = min(maxStoredBlock, raw.count - offset)
            let isLast = offset + length == raw.count
            stream.append(isLast ? 1 : 0)
            stream.append(UInt8(length & 0xFF))
            stream.append(UInt8(length >> 8))
            stream.append(UInt8(~length & 0xFF))
            stream.append(UInt8((~length >> 8) & 0xFF))
            stream.append(contentsOf: raw[offset..<offset + length])
            offset += length
        } while offset < raw.count
        var adler = Checksums.Adler32()
        adler.update(raw)
        stream.appendBigEndian(adler.value)
        return stream
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to output: inout Data) {
        let typeBytes = Array(type.utf8)
        var chunk = [UInt8]()
        chunk.appendBigEndian(UInt32(data.count))
        chunk.append(contentsOf: typeBytes)
        chunk.append(contentsOf: data)
        let crc = Checksums.crc32(data, continuing: Checksums.crc32(typeBytes))
        chunk.appendBigEndian(crc)
        output.append(contentsOf: chunk)
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
