import FalCore

/// Finds output components that are fal's file descriptions, typed as FalRuntime's shared `FalImage`,
/// `FalVideo`, `FalAudio` or `FalOutputFile` instead of one type per endpoint, so one endpoint's output
/// chains into another's input (`FalFile(previous.images[0])`).
///
/// The document stays the source of truth: a component matches only when it is an object with a required,
/// non-null string `url`, and every other property is one of the shared type's fields with the same JSON
/// type and no constraint (the shared type's fields are all optional, so any value the component admits
/// decodes). Anything else (`file_data`, a bound, an enum) keeps its generated type.
enum SharedFileMatcher {
    enum Field: Equatable {
        case string, integer, number
        /// fal's audio `bitrate`: `"192k"` or `192000`.
        case stringOrInteger
    }

    static let fileFields: [String: Field] = ["url": .string, "content_type": .string, "file_name": .string, "file_size": .integer]

    static func fields(of type: SharedFileType) -> [String: Field] {
        switch type {
        case .file: return fileFields
        case .image: return fileFields.merging(["width": .integer, "height": .integer]) { $1 }
        case .video:
            return fileFields.merging(["width": .integer, "height": .integer, "fps": .number, "duration": .number, "num_frames": .integer]) { $1 }
        case .audio:
            return fileFields.merging(["duration": .number, "channels": .integer, "sample_rate": .integer, "bitrate": .stringOrInteger]) { $1 }
        }
    }

    /// The shared type for the component, preferring the one a names lock recorded for its site (`preferred`), then
    /// the one its name suggests (`VideoFile`, `Audio-Output`), so a renamed component keeps its shared type.
    static func match(_ component: String, _ schema: Schema, in endpoint: Endpoint, preferring preferred: SharedFileType? = nil) -> SharedFileType? {
        guard case .object(let object) = schema.kind, object.isRequired("url") else { return nil }
        var found: [String: Field] = [:]
        for property in object.properties {
            guard let field = field(endpoint.resolve(property.schema), in: endpoint) else { return nil }
            found[property.name] = field
        }
        guard found["url"] == .string, endpoint.resolve(object.property("url")!).meta.nullable == false else { return nil }
        let lowered = component.lowercased()
        let hints: [(word: String, type: SharedFileType)] = [("image", .image), ("video", .video), ("audio", .audio)]
        let hinted = hints.filter { lowered.contains($0.word) }.map(\.type)
        for candidate in (preferred.map { [$0] } ?? []) + hinted + [.file, .image, .audio, .video] {
            let allowed = fields(of: candidate)
            if found.allSatisfy({ name, field in allowed[name].map { fits(field, into: $0) } ?? false }) { return candidate }
        }
        return nil
    }

    /// A value of the component's field decodes as the shared field (an integer is a number too).
    private static func fits(_ field: Field, into shared: Field) -> Bool {
        field == shared || (field == .integer && shared == .number) || (shared == .stringOrInteger && (field == .string || field == .integer))
    }

    /// The JSON type of an unconstrained scalar property (nullable or not), or a string-or-integer union.
    private static func field(_ schema: Schema, in endpoint: Endpoint) -> Field? {
        switch schema.kind {
        case .string(let constraints) where constraints.isEmpty: return .string
        case .integer(let constraints) where constraints.isEmpty: return .integer
        case .number(let constraints) where constraints.isEmpty: return .number
        case .union(let union):
            let parts = union.alternatives.map { field(endpoint.resolve($0), in: endpoint) }
            return parts.count == 2 && parts.contains(.string) && parts.contains(.integer) ? .stringOrInteger : nil
        default: return nil
        }
    }
}
