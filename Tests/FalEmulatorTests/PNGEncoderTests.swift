import Foundation
import Testing

@testable import FalEmulator

@Suite struct PNGEncoderTests {
    @Test func checksumsMatchPublishedVectors() {
        #expect(Checksums.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        var adler = Checksums.Adler32()
        adler.update(Array("Wikipedia".utf8))
        #expect(adler.value == 0x11E6_0398)
    }

    // 512×512 and 300×400 cross stored-block boundaries mid-row.
    @Test(arguments: [(1, 1), (7, 3), (512, 512), (300, 400)])
    func encodedFileIsAValidPNGOfTheRequestedSize(width: Int, height: Int) throws {
        let data = PNGEncoder.encode(width: width, height: height) { y, pixels in
            for x in 0..<width { pixels[3 * x ..< 3 * x + 3] = [UInt8(x % 256), UInt8(y % 256), 7] }
        }
        #expect(data.count == PNGEncoder.encodedSize(width: width, height: height))
        let chunks = try PNGChunks(data)
        #expect(chunks.types == ["IHDR", "IDAT", "IEND"])
        #expect(chunks.width == width && chunks.height == height)
        let raw = try chunks.inflateStored()
        #expect(raw.count == height * (1 + 3 * width))
        // Row 1, pixel 2 sits after row 0 and its filter byte.
        if width > 2 && height > 1 {
            let offset = (1 + 3 * width) + 1 + 3 * 2
            #expect(Array(raw[offset..<offset + 3]) == [2, 1, 7])
        }
    }

    @Test func generatedImageRoundTripsThroughItsFileName() throws {
        let image = GeneratedImage(width: 640, height: 480, seed: 42, index: 1)
        let parsed = try #require(GeneratedImage(fileName: image.fileName))
        #expect(parsed == image)
        #expect(image.png() == parsed.png())
        #expect(GeneratedImage(width: 640, height: 480, seed: 43, index: 1).png() != image.png())
        #expect(GeneratedImage(fileName: "1-0-0x10.png") == nil)
        #expect(GeneratedImage(fileName: "../../etc/passwd") == nil)
    }
}

/// Reads a PNG's chunks, checking each CRC, and undoes stored-block deflate with its Adler-32.
struct PNGChunks {
    var types: [String] = []
    var width = 0
    var height = 0
    var idat = [UInt8]()

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw FixtureError("no PNG signature") }
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = Int(Self.uint32(bytes, offset))
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            let body = Array(bytes[offset + 8..<offset + 8 + length])
            let crc = Self.uint32(bytes, offset + 8 + length)
            guard Checksums.crc32(body, continuing: Checksums.crc32(Array(type.utf8))) == crc else { throw FixtureError("bad CRC in \(type)") }
            types.append(type)
            if type == "IHDR" {
                width = Int(Self.uint32(body, 0))
                height = Int(Self.uint32(body, 4))
            }
            if type == "IDAT" { idat += body }
            offset += 12 + length
        }
        guard offset == bytes.count else { throw FixtureError("trailing bytes after IEND") }
    }

    func inflateStored() throws -> [UInt8] {
        var raw = [UInt8]()
        var offset = 2
        while true {
            let header = idat[offset]
            let length = Int(idat[offset + 1]) | Int(idat[offset + 2]) << 8
            let complement = Int(idat[offset + 3]) | Int(idat[offset + 4]) << 8
            guard header & 0b110 == 0, length ^ 0xFFFF == complement else { throw FixtureError("not a stored block") }
            raw += idat[offset + 5..<offset + 5 + length]
            offset += 5 + length
            if header & 1 == 1 { break }
        }
        var adler = Checksums.Adler32()
        adler.update(raw)
        guard Self.uint32(idat, offset) == adler.value, offset + 4 == idat.count else { throw FixtureError("bad Adler-32") }
        return raw
    }

    static func uint32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

@Suite struct RenderedImageCacheTests {
    @Test("a kept image is the same bytes as a fresh render; the cache stays under its byte cap, oldest out first")
    func boundedAndFaithful() {
        let small = GeneratedImage(width: 64, height: 64, seed: 1, index: 0)
        let size = small.png().count
        let cache = RenderedImageCache(capacityBytes: size * 3, maxImageBytes: size * 2)
        #expect(cache.png(small) == small.png())
        #expect(cache.png(small) == small.png() && cache.usage.images == 1)
        for seed in 2...6 { _ = cache.png(GeneratedImage(width: 64, height: 64, seed: UInt64(seed), index: 0)) }
        #expect(cache.usage.images == 3 && cache.usage.bytes <= size * 3)
        let large = GeneratedImage(width: 256, height: 256, seed: 1, index: 0)
        #expect(cache.png(large) == large.png())
        #expect(cache.usage.images == 3, "an image over maxImageBytes is rendered, not kept")
    }
}
