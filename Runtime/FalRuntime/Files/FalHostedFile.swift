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

extension KeyedDecodingContainer {
    /// A hosted file's `url`, and its bytes when fal sent them inline (`content`, as realtime results do). When
    /// only the bytes came, the URL is a `data:` URI of them, so code written for URLs works unchanged.
    func hostedFileLocation(url urlKey: Key, content contentKey: Key, contentType: String?) throws -> (url: String, content: Data?) {
        // Lenient: JSON answers carry no `content`, and one that did must not fail the whole output.
        let content = (try? decodeIfPresent(Data.self, forKey: contentKey)) ?? nil
        if let url = try decodeIfPresent(String.self, forKey: urlKey) { return (url, content) }
        guard let content else {
            throw DecodingError.keyNotFound(urlKey, .init(codingPath: codingPath, debugDescription: "a file needs `url` or `content`"))
        }
        return ("data:\(contentType ?? "application/octet-stream");base64,\(content.base64EncodedString())", content)
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
