import Foundation

/// A file fal stored and described in an endpoint's output: its URL and what fal knows about it.
///
/// `FalImage`, `FalVideo`, `FalAudio` and `FalOutputFile` conform; any of them can be passed to another
/// endpoint's file input: `IllusionDiffusion.Input(imageURL: FalFile(previous.images[0]), prompt: "…")`.
public protocol FalHostedFile: Sendable, Hashable, Codable, Validatable {
    /// Where the file can be downloaded from.
    var url: String { get }
    /// The MIME type, when fal reports it (`image/png`).
    var contentType: String? { get }
    /// The file name, when fal reports it.
    var fileName: String? { get }
    /// The size in bytes, when fal reports it.
    var fileSize: Int? { get }
}

/// Where a hosted file is: the URL fal gave, or the bytes it sent inline (realtime results do).
///
/// For inline bytes, the `data:` URI that `url` returns is built when it is read, not when the output is
/// decoded: Base64 of a 768 KiB PNG took 1.7 ms of every realtime result's 3.4 ms decoding (bench-realtime),
/// and most apps use `content` directly.
struct HostedFileLocation: Sendable, Hashable {
    var url: String?
    var content: Data?

    func resolvedURL(contentType: String?) -> String {
        if let url { return url }
        return "data:\(contentType ?? "application/octet-stream");base64,\((content ?? Data()).base64EncodedString())"
    }
}

extension KeyedDecodingContainer {
    /// A hosted file's `url`, and its bytes when fal sent them inline (`content`). One of them must be there.
    func hostedFileLocation(url urlKey: Key, content contentKey: Key) throws -> HostedFileLocation {
        // Lenient: JSON answers carry no `content`, and one that did must not fail the whole output.
        let content = (try? decodeIfPresent(Data.self, forKey: contentKey)) ?? nil
        let url = try decodeIfPresent(String.self, forKey: urlKey)
        guard url != nil || content != nil else {
            throw DecodingError.keyNotFound(urlKey, .init(codingPath: codingPath, debugDescription: "a file needs `url` or `content`"))
        }
        return HostedFileLocation(url: url, content: content)
    }
}

extension KeyedEncodingContainer {
    /// Encodes a hosted file's location as it came: `url` when fal gave one, `content` when it sent bytes
    /// (no `data:` URI is written beside the bytes it repeats; decoding the result gives the same value).
    mutating func encode(_ location: HostedFileLocation, url urlKey: Key, content contentKey: Key) throws {
        try encodeIfPresent(location.url, forKey: urlKey)
        try encodeIfPresent(location.content, forKey: contentKey)
    }
}

extension FalHostedFile {
    /// Output files have no constraints of their own to check.
    public func validate(at path: FieldPath, into issues: inout [ValidationIssue]) {}
}

extension FalFile {
    /// The file another endpoint returned, passed on by its URL (nothing is downloaded or uploaded again).
    public init(_ file: some FalHostedFile) {
        self = .url(file.url)
    }
}
