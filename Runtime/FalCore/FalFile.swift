import Foundation
import Synchronization

/// A file given to an input field that takes a file URL (`image_url`, `mask_url`, …).
///
/// Remote URLs and `data:` URIs are sent as they are. Bytes and local files are uploaded to fal's
/// storage by the client before the request is submitted, and replaced by the URL storage returns.
public enum FalFile: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// An `http(s)` URL or a `data:` URI.
    case url(String)
    /// In-memory bytes, uploaded before submit.
    case data(Data, contentType: String = "application/octet-stream", fileName: String? = nil)
    /// A local file, streamed from disk to storage before submit.
    case localFile(path: String, contentType: String? = nil)

    /// A string literal is a URL (`"https://…"` or a `data:` URI), sent as it is.
    public init(stringLiteral value: String) { self = .url(value) }

    /// The URL when the file is already addressable by fal; nil when it still needs uploading.
    public var remoteURL: String? {
        if case .url(let url) = self { return url }
        return nil
    }

    /// The URL, or a summary of the bytes or the path; a `data:` URI shows only its size, not its content.
    public var description: String {
        switch self {
        case .url(let url): return url.hasPrefix("data:") ? "data URI (\(url.utf8.count) bytes)" : url
        case .data(let data, let contentType, let name): return "\(data.count) bytes of \(contentType)" + (name.map { " (\($0))" } ?? "")
        case .localFile(let path, _): return "file \(path)"
        }
    }
}

extension FalFile: Codable {
    /// Decodes a URL string; a decoded file is always `.url`.
    public init(from decoder: any Decoder) throws {
        self = .url(try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes a URL as it is. Bytes and local files become an upload placeholder when the encoder carries a
    /// `FileUploadCollector`, and throw `EncodingError` otherwise: they must be uploaded first.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if case .url(let url) = self {
            try container.encode(url)
        } else if let limit = encoder.userInfo[Self.inlineEncodingKey] as? Int {
            try container.encode(try inlineDataURI(limit: limit, codingPath: encoder.codingPath))
        } else if let collector = encoder.userInfo[FileUploadCollector.userInfoKey] as? FileUploadCollector {
            try container.encode(collector.placeholder(for: self))
        } else {
            throw EncodingError.invalidValue(self, .init(
                codingPath: encoder.codingPath,
                debugDescription: "\(self) must be uploaded before the input is encoded; submit it through FalClient, which uploads it"))
        }
    }
}

extension FalFile {
    /// The encoder `userInfo` key that makes bytes and local files encode inline, as `data:` URIs, instead of
    /// through a storage upload: what realtime frames do (fal's realtime docs recommend data URIs). Its value is
    /// the largest file to inline, in bytes, as an `Int`.
    public static let inlineEncodingKey = CodingUserInfoKey(rawValue: "ai.fal.inlineFiles")!

    /// The file as a `data:` URI: bytes as they are, a local file read whole (refused beyond `limit` bytes).
    func inlineDataURI(limit: Int, codingPath: [any CodingKey]) throws -> String {
        let bytes: Data, type: String
        switch self {
        case .url(let url):
            return url
        case .data(let data, let contentType, _):
            (bytes, type) = (data, contentType)
        case .localFile(let path, let contentType):
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
            guard let size, size <= limit, let data = FileManager.default.contents(atPath: path) else {
                throw EncodingError.invalidValue(self, .init(codingPath: codingPath, debugDescription:
                    size == nil ? "\(path) cannot be read" : "\(path) is \(size!) bytes, over the \(limit) bytes a realtime frame carries inline"))
            }
            (bytes, type) = (data, contentType ?? "application/octet-stream")
        }
        guard bytes.count <= limit else {
            throw EncodingError.invalidValue(self, .init(codingPath: codingPath, debugDescription:
                "\(bytes.count) bytes, over the \(limit) bytes a realtime frame carries inline"))
        }
        return "data:\(type);base64,\(bytes.base64EncodedString())"
    }
}

/// Gathers the files an input needs uploaded while it is encoded. Each gets a unique placeholder
/// string in the JSON, which the client swaps for the storage URL after uploading.
public final class FileUploadCollector: Sendable {
    /// The encoder `userInfo` key the collector travels under; without it, bytes and local files refuse to encode.
    public static let userInfoKey = CodingUserInfoKey(rawValue: "ai.fal.fileUploadCollector")!
    /// How each placeholder starts: `fal-pending-upload://N`, where `N` indexes `pending`.
    public static let placeholderPrefix = "fal-pending-upload://"

    private let files = Mutex<[FalFile]>([])

    /// An empty collector, for one encoding of one input.
    public init() {}

    func placeholder(for file: FalFile) -> String {
        files.withLock { files in
            files.append(file)
            return "\(Self.placeholderPrefix)\(files.count - 1)"
        }
    }

    /// Forgets every placeholder handed out (an encoding that is started over).
    package func reset() { files.withLock { $0.removeAll() } }

    /// Files in placeholder order: placeholder `N` is `pending[N]`.
    public var pending: [FalFile] { files.withLock { $0 } }
}

extension FalFile: Validatable {
    /// Files carry no constraints of their own; string rules on the field apply to URLs only.
    public func validate(at path: FieldPath, into issues: inout [ValidationIssue]) {}
}
