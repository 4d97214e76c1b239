import Foundation

/// The payload of the message being assembled, kept so that memory tracks the bytes received, never more:
/// - a message in one frame goes into one buffer of exactly its declared length (reserved, so its pages are
///   only touched as bytes arrive), handed out as the message without a copy;
/// - a fragmented message goes into chunks of 4 KiB doubling up to 1 MiB, never reallocated (no old and new
///   copy of a growing buffer at once), joined once the last fragment arrived, each chunk freed as it is
///   copied: the peak is the message plus one chunk, and a message refused at the cap never needed more
///   than the cap (plus a chunk).
package struct WebSocketMessageBuffer: Sendable {
    /// A message in one frame (while `chunks` is empty).
    private var single = Data()
    /// A fragmented message; every chunk but the last is full.
    private var chunks: [[UInt8]] = []
    private var fragmented = false
    /// Bytes received so far.
    package private(set) var count = 0

    private static let firstChunk = 4 << 10
    private static let largestChunk = 1 << 20

    /// An empty buffer.
    package init() {}

    /// Starts a message: `length` is its first frame's declared length, `fragmented` whether more frames follow.
    package mutating func start(length: Int, fragmented: Bool) {
        single = Data()
        chunks = []
        count = 0
        self.fragmented = fragmented
        if !fragmented && length > 0 { single.reserveCapacity(length) }
    }

    /// Adds payload bytes.
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        guard fragmented else {
            single.append(bytes.assumingMemoryBound(to: UInt8.self))
            return
        }
        var rest = bytes[...]
        while !rest.isEmpty {
            if chunks.isEmpty || chunks[chunks.count - 1].count == chunks[chunks.count - 1].capacity {
                let size = chunks.last.map { Swift.min($0.capacity * 2, Self.largestChunk) } ?? Self.firstChunk
                chunks.append([])
                chunks[chunks.count - 1].reserveCapacity(size)
            }
            let room = chunks[chunks.count - 1].capacity - chunks[chunks.count - 1].count
            let piece = rest.prefix(room)
            chunks[chunks.count - 1].append(contentsOf: UnsafeRawBufferPointer(rebasing: piece))
            rest = rest.dropFirst(piece.count)
        }
    }

    /// The whole message as bytes; the buffer is empty afterwards.
    package mutating func takeData() -> Data {
        defer { start(length: 0, fragmented: false) }
        guard fragmented else { return single }
        var data = Data(capacity: count)
        for index in chunks.indices {
            data.append(contentsOf: chunks[index])
            chunks[index] = []
        }
        return data
    }

    /// The whole message as text (the caller checked it is UTF-8); the buffer is empty afterwards.
    package mutating func takeText() -> String {
        defer { start(length: 0, fragmented: false) }
        guard fragmented else { return String(decoding: single, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: count) { buffer in
            var offset = 0
            for index in chunks.indices {
                let chunk = chunks[index]
                _ = UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + chunk.count)]).initialize(from: chunk)
                offset += chunk.count
                chunks[index] = []
            }
            return offset
        }
    }
}
