/// Where a value sits inside a request, written with fal's JSON keys: `image_size.width`, `loras[0].scale`.
/// The same notation is used by local `validate()`, the emulator's 422 answers and fal's `detail[].loc`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    /// The path as written: `loras[0].scale`; empty for the root.
    public private(set) var description: String

    /// The request body itself; an issue at the root prints without a path.
    public static let root = FieldPath(description: "")

    /// A path already written out (`FieldPath("options")`), taken as given.
    public init(_ description: String) { self.description = description }
    private init(description: String) { self.description = description }

    /// The path of member `name` inside the object at this path: `image_size` → `image_size.width`.
    public func key(_ name: String) -> FieldPath {
        FieldPath(description: description.isEmpty ? name : "\(description).\(name)")
    }

    /// The path of element `position` (0-based) inside the array at this path: `loras` → `loras[0]`.
    public func index(_ position: Int) -> FieldPath {
        FieldPath(description: "\(description)[\(position)]")
    }

    /// Builds a path from fal's 422 `loc` array (`["body", "image_size", "width"]`), dropping the leading `body`.
    public init(location: [JSONValue]) {
        var path = FieldPath.root
        for (offset, component) in location.enumerated() {
            switch component {
            case .string(let name) where offset == 0 && name == "body": continue
            case .string(let name): path = path.key(name)
            case .int(let position): path = path.index(position)
            default: path = path.key(String(describing: component))
            }
        }
        self = path
    }
}
