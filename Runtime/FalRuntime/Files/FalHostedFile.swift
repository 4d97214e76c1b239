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
