/// A video in an endpoint's output (fal's `VideoFile` and `Video` schemas).
public struct FalVideo: FalHostedFile {
    public var url: String
    public var contentType: String?
    public var fileName: String?
    public var fileSize: Int?
    /// In pixels.
    public var width: Int?
    /// In pixels.
    public var height: Int?
    /// Frames per second.
    public var fps: Double?
    /// In seconds.
    public var duration: Double?
    public var numFrames: Int?

    public init(url: String, contentType: String? = nil, fileName: String? = nil, fileSize: Int? = nil, width: Int? = nil,
                height: Int? = nil, fps: Double? = nil, duration: Double? = nil, numFrames: Int? = nil) {
        self.url = url
        self.contentType = contentType
        self.fileName = fileName
        self.fileSize = fileSize
        self.width = width
        self.height = height
        self.fps = fps
        self.duration = duration
        self.numFrames = numFrames
    }

    enum CodingKeys: String, CodingKey {
        case url
        case contentType = "content_type"
        case fileName = "file_name"
        case fileSize = "file_size"
        case width
        case height
        case fps
        case duration
        case numFrames = "num_frames"
    }
}
