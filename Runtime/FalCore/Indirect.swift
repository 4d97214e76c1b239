/// A value stored out of line, so a generated struct can contain its own type (`TreeNode.parent:
/// Indirect<TreeNode>?`) with a finite size. It encodes, decodes, compares and validates exactly as the
/// wrapped value: the JSON has no trace of the box.
public struct Indirect<Value: Sendable & Hashable>: Sendable, Hashable {
    // A one-element array: heap storage with value semantics (copy on write), unlike a class box.
    private var storage: [Value]

    /// Stores `value` out of line.
    public init(_ value: Value) { storage = [value] }

    /// The wrapped value; setting it copies the storage first when another copy shares it.
    public var value: Value {
        get { storage[0] }
        set { storage[0] = newValue }
    }
}

extension Indirect: Codable where Value: Codable {
    /// Decodes the wrapped value from the same decoder, with no extra nesting.
    public init(from decoder: any Decoder) throws { storage = [try Value(from: decoder)] }

    /// Encodes the wrapped value itself, so the JSON shows no box.
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

extension Indirect: Validatable where Value: Validatable {
    /// Validates the wrapped value at the same path.
    public func validate(at path: FieldPath, into issues: inout [ValidationIssue]) {
        value.validate(at: path, into: &issues)
    }
}
