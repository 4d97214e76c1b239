/// One broken rule at one field: `image_size.width: 1001 is not a multiple of 8`.
public struct ValidationIssue: Sendable, Hashable, CustomStringConvertible {
    /// Where the broken rule sits, in fal's JSON keys (`image_size.width`); the root for the whole body.
    public var path: FieldPath
    /// The rule that failed, phrased as a sentence about the value (`81 exceeds maximum 80`).
    public var message: String
    /// fal's machine-readable error type when the issue came from the server (`value_error.missing`);
    /// nil for local `validate()` issues.
    public var type: String?

    /// An issue at `path`; `type` is fal's error type for issues the server reported, nil for local ones.
    public init(path: FieldPath, message: String, type: String? = nil) {
        self.path = path
        self.message = message
        self.type = type
    }

    /// `path: message`, or the message alone at the root.
    public var description: String {
        path.description.isEmpty ? message : "\(path): \(message)"
    }
}

/// A value that can check itself against its schema's constraints, collecting every violation
/// rather than stopping at the first. Generated inputs, their nested types and unions conform.
public protocol Validatable {
    /// Appends every violation in this value to `issues`, with paths under `path`.
    func validate(at path: FieldPath, into issues: inout [ValidationIssue])
}

extension Validatable {
    /// Checks nothing: the default for values whose schema has no rule to check (generated enums, outputs and
    /// structures without constraints declare no `validate(at:into:)` of their own).
    public func validate(at path: FieldPath, into issues: inout [ValidationIssue]) {}

    /// Every violation in this value, in field order.
    public func validationIssues() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        validate(at: .root, into: &issues)
        return issues
    }

    /// Throws `FalError.validation` listing every violation, or returns when the value is valid.
    public func validate() throws(FalError) {
        let issues = validationIssues()
        if !issues.isEmpty { throw FalError.validation(issues) }
    }
}

extension Optional: Validatable where Wrapped: Validatable {
    /// Validates the wrapped value; `nil` records nothing.
    public func validate(at path: FieldPath, into issues: inout [ValidationIssue]) {
        self?.validate(at: path, into: &issues)
    }
}

extension Array: Validatable where Element: Validatable {
    /// Validates each element at `path[index]`.
    public func validate(at path: FieldPath, into issues: inout [ValidationIssue]) {
        for (position, element) in enumerated() {
            element.validate(at: path.index(position), into: &issues)
        }
    }
}
