import Foundation

/// Bytes to upload: held in memory, or a file read from disk range by range (never loaded whole).
enum UploadSource: Sendable {
    case data(Data)
    case file(path: String, size: Int64)

    static func file(at path: String) throws(FalError) -> UploadSource {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw FalError.configuration("cannot read \(path): \((error as NSError).localizedDescription)")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw FalError.configuration("cannot read \(path): not a regular file")
        }
        guard let size = (attributes[.size] as? NSNumber)?.int64Value, FileManager.default.isReadableFile(atPath: path) else {
            throw FalError.configuration("cannot read \(path): permission denied")
        }
        return .file(path: path, size: size)
    }

    var size: Int64 {
        switch self {
        case .data(let data): return Int64(data.count)
        case .file(_, let size): return size
        }
    }

    var body: HTTPBody { body(offset: 0, length: size) }

    func body(offset: Int64, length: Int64) -> HTTPBody {
        switch self {
        case .data(let data):
            let start = data.startIndex + Int(offset)
            return .data(data.subdata(in: start..<(start + Int(length))))
        case .file(let path, _):
            return .file(path: path, offset: offset, length: length)
        }
    }
}

/// Content types for common file extensions, so local files upload with a meaningful type.
enum ContentTypes {
    static let byExtension: [String: String] = [
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif",
        "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff", "svg": "image/svg+xml",
        "mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm", "mp3": "audio/mpeg", "wav": "audio/wav",
        "ogg": "audio/ogg", "flac": "audio/flac", "json": "application/json", "txt": "text/plain", "zip": "application/zip",
        "pdf": "application/pdf", "safetensors": "application/octet-stream", "tar": "application/x-tar",
    ]

    static func forPath(_ path: String) -> String {
        byExtension[(path as NSString).pathExtension.lowercased()] ?? "application/octet-stream"
    }
}
