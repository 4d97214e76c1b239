/// A value stored out of line, so a generated struct can contain its own type (`TreeNode.parent:
/// Indirect<TreeNode>?`) with a finite size. It encodes, decodes, compares and validates exactly as the
/// wrapped value: the JSON has no trace of the box.
public struct Indirect<Value: Sendable & Hashable>: Sendable, Hashable {
    // A one-element array: heap storage with value semantics (copy on write), unlike a class box.
    private var storage: [Value]

    public init(_ value: Value) { storage = [value] }

    public var value: Value {
        get { storage[0] }
        set { storage[0] = newValue }
    }
}

extension Indirect: Codable where Value: Codable {
    public init(from decoder: any Decoder) throws { storage = [try Value(from: decoder)] }

    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

extension Indirect: Validatable where Value: Validatable {
    public func validate(at path: FieldPath, into issues: inout [ValidationIssue]) {
        value.validate(at: path, into: &issues)
    }
}
