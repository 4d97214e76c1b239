/// A file in an endpoint's output, as fal describes any file (its `File` schema).
public struct FalOutputFile: FalHostedFile {
    public var url: String
    public var contentType: String?
    public var fileName: String?
    public var fileSize: Int?

    public init(url: String, contentType: String? = nil, fileName: String? = nil, fileSize: Int? = nil) {
        self.url = url
        self.contentType = contentType
        self.fileName = fileName
        self.fileSize = fileSize
    }

    enum CodingKeys: String, CodingKey {
        case url
        case contentType = "content_type"
        case fileName = "file_name"
        case fileSize = "file_size"
    }
}
