/// The two checksums a PNG needs: CRC-32 over each chunk and Adler-32 over the zlib stream.
enum Checksums {
    private static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    /// Updates a running CRC-32 (start with `0`), so a chunk's type and data can be fed separately.
    static func crc32<Bytes: Sequence>(_ bytes: Bytes, continuing crc: UInt32 = 0) -> UInt32 where Bytes.Element == UInt8 {
        var value = ~crc
        for byte in bytes { value = crcTable[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8) }
        return ~value
    }

    /// Running Adler-32 state; `value` is the checksum of everything fed so far.
    struct Adler32 {
        private var a: UInt32 = 1
        private var b: UInt32 = 0

        mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
            // 5552 is the largest run for which the sums cannot overflow before the modulo.
            var pending = 0
            for byte in bytes {
                a += UInt32(byte)
                b += a
                pending += 1
                if pending == 5552 {
                    a %= 65521
                    b %= 65521
                    pending = 0
                }
            }
            a %= 65521
            b %= 65521
        }

        var value: UInt32 { (b << 16) | a }
    }
}
