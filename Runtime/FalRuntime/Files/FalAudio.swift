/// An audio file in an endpoint's output (fal's `AudioFile` and `Audio` schemas).
public struct FalAudio: FalHostedFile {
    public var url: String
    public var contentType: String?
    public var fileName: String?
    public var fileSize: Int?
    /// In seconds.
    public var duration: Double?
    public var channels: Int?
    /// In hertz.
    public var sampleRate: Int?
    public var bitrate: Bitrate?

    /// fal reports a bitrate as text (`"192k"`) or in bits per second (`192000`).
    public enum Bitrate: Sendable, Hashable, Codable {
        case string(String)
        case integer(Int)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) {
                self = .integer(value)
            } else {
                self = .string(try container.decode(String.self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .integer(let value): try container.encode(value)
            }
        }
    }

    public init(url: String, contentType: String? = nil, fileName: String? = nil, fileSize: Int? = nil, duration: Double? = nil,
                channels: Int? = nil, sampleRate: Int? = nil, bitrate: Bitrate? = nil) {
        self.url = url
        self.contentType = contentType
        self.fileName = fileName
        self.fileSize = fileSize
        self.duration = duration
        self.channels = channels
        self.sampleRate = sampleRate
        self.bitrate = bitrate
    }

    enum CodingKeys: String, CodingKey {
        case url
        case contentType = "content_type"
        case fileName = "file_name"
        case fileSize = "file_size"
        case duration
        case channels
        case sampleRate = "sample_rate"
        case bitrate
    }
}
