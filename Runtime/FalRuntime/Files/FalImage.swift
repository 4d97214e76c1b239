/// An image in an endpoint's output (fal's `Image` and `ImageFile` schemas).
public struct FalImage: FalHostedFile {
    public var url: String
    public var contentType: String?
    public var fileName: String?
    public var fileSize: Int?
    /// In pixels.
    public var width: Int?
    /// In pixels.
    public var height: Int?

    public init(url: String, contentType: String? = nil, fileName: String? = nil, fileSize: Int? = nil, width: Int? = nil, height: Int? = nil) {
        self.url = url
        self.contentType = contentType
        self.fileName = fileName
        self.fileSize = fileSize
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey {
        case url
        case contentType = "content_type"
        case fileName = "file_name"
        case fileSize = "file_size"
        case width
        case height
    }
}
