import Foundation

/// An image in an endpoint's output (fal's `Image` and `ImageFile` schemas).
public struct FalImage: FalHostedFile {
    /// Where fal serves the file, usually its CDN; a `data:` URI of `content` when the endpoint returned the
    /// bytes inline (built when read: prefer `content` then).
    public var url: String {
        get { location.resolvedURL(contentType: contentType) }
        set { location.url = newValue }
    }
    /// The file's bytes when fal sent them inline (realtime results do); nil when it gave a URL only.
    public var content: Data? {
        get { location.content }
        set { location.content = newValue }
    }
    private var location: HostedFileLocation
    /// The MIME type fal reports (`image/png`), if any.
    public var contentType: String?
    /// The file name fal reports, if any.
    public var fileName: String?
    /// The size in bytes fal reports, if any.
    public var fileSize: Int?
    /// In pixels.
    public var width: Int?
    /// In pixels.
    public var height: Int?

    /// An image at `url`; every other field is optional, as fal may leave it out.
    public init(url: String, contentType: String? = nil, fileName: String? = nil, fileSize: Int? = nil, width: Int? = nil, height: Int? = nil) {
        self.location = HostedFileLocation(url: url)
        self.contentType = contentType
        self.fileName = fileName
        self.fileSize = fileSize
        self.width = width
        self.height = height
    }

    /// Decodes fal's fields; `url` may be missing when `content` carries the bytes (see `hostedFileLocation`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        contentType = try container.decodeIfPresent(String.self, forKey: .contentType)
        fileName = try container.decodeIfPresent(String.self, forKey: .fileName)
        fileSize = try container.decodeIfPresent(Int.self, forKey: .fileSize)
        width = try container.decodeIfPresent(Int.self, forKey: .width)
        height = try container.decodeIfPresent(Int.self, forKey: .height)
        location = try container.hostedFileLocation(url: .url, content: .content)
    }

    /// Encodes fal's fields: `url` as fal gave it, or the inline `content` (see `HostedFileLocation`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(location, url: .url, content: .content)
        try container.encodeIfPresent(contentType, forKey: .contentType)
        try container.encodeIfPresent(fileName, forKey: .fileName)
        try container.encodeIfPresent(fileSize, forKey: .fileSize)
        try container.encodeIfPresent(width, forKey: .width)
        try container.encodeIfPresent(height, forKey: .height)
    }

    enum CodingKeys: String, CodingKey {
        case url, content
        case contentType = "content_type"
        case fileName = "file_name"
        case fileSize = "file_size"
        case width
        case height
    }
}
