import Foundation

/// An audio file in an endpoint's output (fal's `AudioFile` and `Audio` schemas).
public struct FalAudio: FalHostedFile {
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
    /// The MIME type fal reports (`audio/mpeg`), if any.
    public var contentType: String?
    /// The file name fal reports, if any.
    public var fileName: String?
    /// The size in bytes fal reports, if any.
    public var fileSize: Int?
    /// In seconds.
    public var duration: Double?
    /// Number of audio channels (1 mono, 2 stereo).
    public var channels: Int?
    /// In hertz.
    public var sampleRate: Int?
    /// The bitrate fal reports, as text or in bits per second.
    public var bitrate: Bitrate?

    /// fal reports a bitrate as text (`"192k"`) or in bits per second (`192000`).
    public enum Bitrate: Sendable, Hashable, Codable {
        /// As fal writes it, e.g. `"192k"`.
        case string(String)
        /// In bits per second, e.g. `192000`.
        case integer(Int)

        /// Decodes either an integer or a JSON string, as fal's schemas allow both.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) {
                self = .integer(value)
            } else {
                self = .string(try container.decode(String.self))
            }
        }

        /// Encodes the value in the form it came in: a number or a string.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .integer(let value): try container.encode(value)
            }
        }
    }

    /// An audio file at `url`; every other field is optional, as fal may leave it out.
    public init(url: String, contentType: String? = nil, fileName: String? = nil, fileSize: Int? = nil, duration: Double? = nil,
                channels: Int? = nil, sampleRate: Int? = nil, bitrate: Bitrate? = nil) {
        self.location = HostedFileLocation(url: url)
        self.contentType = contentType
        self.fileName = fileName
        self.fileSize = fileSize
        self.duration = duration
        self.channels = channels
        self.sampleRate = sampleRate
        self.bitrate = bitrate
    }

    /// Decodes fal's fields; `url` may be missing when `content` carries the bytes (see `hostedFileLocation`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        contentType = try container.decodeIfPresent(String.self, forKey: .contentType)
        fileName = try container.decodeIfPresent(String.self, forKey: .fileName)
        fileSize = try container.decodeIfPresent(Int.self, forKey: .fileSize)
        duration = try container.decodeIfPresent(Double.self, forKey: .duration)
        channels = try container.decodeIfPresent(Int.self, forKey: .channels)
        sampleRate = try container.decodeIfPresent(Int.self, forKey: .sampleRate)
        bitrate = try container.decodeIfPresent(Bitrate.self, forKey: .bitrate)
        location = try container.hostedFileLocation(url: .url, content: .content)
    }

    /// Encodes fal's fields: `url` as fal gave it, or the inline `content` (see `HostedFileLocation`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(location, url: .url, content: .content)
        try container.encodeIfPresent(contentType, forKey: .contentType)
        try container.encodeIfPresent(fileName, forKey: .fileName)
        try container.encodeIfPresent(fileSize, forKey: .fileSize)
        try container.encodeIfPresent(duration, forKey: .duration)
        try container.encodeIfPresent(channels, forKey: .channels)
        try container.encodeIfPresent(sampleRate, forKey: .sampleRate)
        try container.encodeIfPresent(bitrate, forKey: .bitrate)
    }

    enum CodingKeys: String, CodingKey {
        case url, content
        case contentType = "content_type"
        case fileName = "file_name"
        case fileSize = "file_size"
        case duration
        case channels
        case sampleRate = "sample_rate"
        case bitrate
    }
}
