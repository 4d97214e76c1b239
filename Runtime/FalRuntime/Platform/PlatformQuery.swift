import FalCore
import Foundation

/// A Platform API request's query string and local parameter checks, in the order the parameters were added.
///
/// fal's conventions (`schemas/platform/README.md`): an array parameter repeats its key
/// (`?endpoint_id=a&endpoint_id=b`) and takes 1–50 values; booleans are `true`/`false`. A broken rule is
/// collected as a `ValidationIssue` naming the parameter, and `FalPlatform.send` throws them all as
/// `FalError.validation` before anything is sent.
package struct PlatformQuery: Sendable {
    /// Most values an array parameter takes (fal: "Accepts 1-50 …").
    package static let maximumValues = 50

    package private(set) var items: [(name: String, value: String)] = []
    package private(set) var issues: [ValidationIssue] = []

    package init() {}

    package mutating func add(_ name: String, _ value: String?) {
        if let value { items.append((name, value)) }
    }

    package mutating func add(_ name: String, _ value: Int?, minimum: Int? = nil, maximum: Int? = nil) {
        guard let value else { return }
        if let minimum { Rule.minimum(Double(value), Double(minimum), at: FieldPath.root.key(name), into: &issues) }
        if let maximum { Rule.maximum(Double(value), Double(maximum), at: FieldPath.root.key(name), into: &issues) }
        items.append((name, String(value)))
    }

    package mutating func add(_ name: String, _ value: Double?, minimum: Double? = nil, maximum: Double? = nil) {
        guard let value else { return }
        guard value.isFinite else {
            issues.append(ValidationIssue(path: FieldPath.root.key(name), message: "\(value) is not a finite number"))
            return
        }
        if let minimum { Rule.minimum(value, minimum, at: FieldPath.root.key(name), into: &issues) }
        if let maximum { Rule.maximum(value, maximum, at: FieldPath.root.key(name), into: &issues) }
        items.append((name, value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)))
    }

    package mutating func add(_ name: String, _ value: Bool?) {
        if let value { items.append((name, value ? "true" : "false")) }
    }

    package mutating func add<Value: RawRepresentable<String>>(_ name: String, _ value: Value?) {
        if let value { items.append((name, value.rawValue)) }
    }

    /// An array parameter: one `name=value` per value. `required` ones must have at least one value; none may
    /// have more than `maximumValues`, or an empty value.
    package mutating func add(_ name: String, _ values: [String]?, required: Bool = false) {
        let values = values ?? []
        let path = FieldPath.root.key(name)
        if required { Rule.minItems(values.count, 1, at: path, into: &issues) }
        Rule.maxItems(values.count, Self.maximumValues, at: path, into: &issues)
        for (index, value) in values.enumerated() where value.isEmpty {
            issues.append(ValidationIssue(path: path.index(index), message: "must not be empty"))
        }
        items += values.map { (name, $0) }
    }

    /// An array parameter of documented string values.
    package mutating func add<Value: RawRepresentable<String>>(_ name: String, _ values: [Value]?, required: Bool = false) {
        add(name, values?.map(\.rawValue), required: required)
    }

    /// A required path or query value that must not be empty.
    package mutating func require(_ name: String, _ value: String) {
        if value.isEmpty { issues.append(ValidationIssue(path: FieldPath.root.key(name), message: "is required and must not be empty")) }
    }

    /// Throws every collected issue as one `FalError.validation`.
    package func validated() throws(FalError) {
        if !issues.isEmpty { throw FalError.validation(issues) }
    }

    /// `?name=value&…` with names and values percent-encoded (RFC 3986 unreserved characters kept), or "".
    package var encoded: String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { Self.escaped($0.name) + "=" + Self.escaped($0.value) }.joined(separator: "&")
    }

    /// A value placed in a URL path: everything but unreserved characters is percent-encoded (a `/` too).
    package static func pathSegment(_ value: String) -> String { escaped(value) }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    private static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
