import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

/// Streams an upload's request body to a file on disk, never holding more than one flush buffer of it in
/// memory, so uploads of any size cost the emulator constant memory. Writes run on NIO's blocking-I/O pool.
enum UploadSpool {
    /// Bytes gathered from the network before each disk write: few syscalls, small and fixed memory.
    static let flushBytes = 1 << 20

    /// Writes the body to `path` and returns its size; a 413 when it exceeds `limit` (checked against
    /// Content-Length first, then while reading). On any failure the partial file is removed.
    static func receive(_ request: Request, limit: Int, to path: String) async -> Result<Int, ReplyError> {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            return .failure(BodyReader.tooLarge(limit))
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            return .failure(ReplyError(Reply.detail("Could not store the upload on disk", status: .internalServerError)))
        }
        var size = 0
        var pending = ByteBuffer()
        pending.reserveCapacity(flushBytes)
        do {
            for try await buffer in request.body {
                size += buffer.readableBytes
                guard size <= limit else {
                    try? handle.close()
                    try? FileManager.default.removeItem(atPath: path)
                    return .failure(BodyReader.tooLarge(limit))
                }
                pending.writeImmutableBuffer(buffer)
                if pending.readableBytes >= flushBytes {
                    try await write(pending, to: handle)
                    pending.clear()
                }
            }
            if pending.readableBytes > 0 { try await write(pending, to: handle) }
            try handle.close()
            return .success(size)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: path)
            return .failure(ReplyError(Reply.detail("Could not read request body: \(error)", status: .badRequest)))
        }
    }

    private static func write(_ buffer: ByteBuffer, to handle: FileHandle) async throws {
        try await NIOThreadPool.singleton.runIfActive {
            try buffer.withUnsafeReadableBytes { try handle.write(contentsOf: $0) }
        }
    }

    /// A response that streams `segments` (files, in order) from disk, `size` bytes in all. A segment evicted
    /// while it is being served ends the body early, which the client sees as a truncated transfer.
    static func serve(segments: [String], size: Int, contentType: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: contentType, .contentLength: String(size)],
            body: .init(contentLength: size) { writer in
                for segment in segments {
                    guard let handle = FileHandle(forReadingAtPath: segment) else { throw CocoaError(.fileNoSuchFile) }
                    defer { try? handle.close() }
                    while true {
                        let chunk = try await NIOThreadPool.singleton.runIfActive { try handle.read(upToCount: flushBytes) ?? Data() }
                        if chunk.isEmpty { break }
                        try await writer.write(ByteBuffer(bytes: chunk))
                    }
                }
                try await writer.finish(nil)
            })
    }
}
