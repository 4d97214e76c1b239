import Foundation

/// A file in an endpoint's output, as fal describes any file (its `File` schema).
public struct FalOutputFile: FalHostedFile {
    /// Where fal serves the file, usually its CDN; a `data:` URI when the endpoint returned it inline.
    public var url: String
    /// The file's bytes when fal sent them inline (realtime results do); nil when it gave a URL only.
    public var content: Data?
    /// The MIME type fal reports (`application/zip`), if any.
    public var contentType: String?
    /// The file name fal reports, if any.
    public var fileName: String?
    /// The size in bytes fal reports, if any.
    public var fileSize: Int?

    /// A file at `url`; every other field is optional, as fal may leave it out.
    public init(url: String, contentType: String? = nil, fileName: String? = nil, fileSize: Int? = nil) {
        self.url = url
        self.contentType = contentType
        self.fileName = fileName
        self.fileSize = fileSize
    }

    /// Decodes fal's fields; `url` may be missing when `content` carries the bytes (see `hostedFileLocation`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        contentType = try container.decodeIfPresent(String.self, forKey: .contentType)
        fileName = try container.decodeIfPresent(String.self, forKey: .fileName)
        fileSize = try container.decodeIfPresent(Int.self, forKey: .fileSize)
        (url, content) = try container.hostedFileLocation(url: .url, content: .content, contentType: contentType)
    }

    enum CodingKeys: String, CodingKey {
        case url, content
        case contentType = "content_type"
        case fileName = "file_name"
        case fileSize = "file_size"
    }
}
