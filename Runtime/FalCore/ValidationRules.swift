/// The constraint checks shared by generated `validate()` methods and the schema-driven validator
/// (the emulator's), so both phrase every rule identically. Each appends an issue when the rule fails.
public enum Rule {
    /// `minimum`: records "`value` is less than minimum `bound`" when `value < bound`.
    public static func minimum(_ value: Double, _ bound: Double, at path: FieldPath, into issues: inout [ValidationIssue]) {
        if value < bound { issues.append(.init(path: path, message: "\(format(value)) is less than minimum \(format(bound))")) }
    }

    /// `maximum`: records "`value` exceeds maximum `bound`" when `value > bound`.
    public static func maximum(_ value: Double, _ bound: Double, at path: FieldPath, into issues: inout [ValidationIssue]) {
        if value > bound { issues.append(.init(path: path, message: "\(format(value)) exceeds maximum \(format(bound))")) }
    }

    /// `exclusiveMinimum`: records "`value` must be greater than `bound`" when `value <= bound`.
    public static func exclusiveMinimum(_ value: Double, _ bound: Double, at path: FieldPath, into issues: inout [ValidationIssue]) {
        if value <= bound { issues.append(.init(path: path, message: "\(format(value)) must be greater than \(format(bound))")) }
    }

    /// `exclusiveMaximum`: records "`value` must be less than `bound`" when `value >= bound`.
    public static func exclusiveMaximum(_ value: Double, _ bound: Double, at path: FieldPath, into issues: inout [ValidationIssue]) {
        if value >= bound { issues.append(.init(path: path, message: "\(format(value)) must be less than \(format(bound))")) }
    }

    /// `minimum` for integer fields, with the same check and message. These integer overloads spare generated
    /// code a conversion; the comparison is in `Double`, exact up to 2^53.
    public static func minimum(_ value: Int, _ bound: Double, at path: FieldPath, into issues: inout [ValidationIssue]) {
        minimum(Double(value), bound, at: path, into: &issues)
    }
    /// `maximum` for integer fields, with the same check and message.
    public static func maximum(_ value: Int, _ bound: Double, at path: FieldPath, into issues: inout [ValidationIssue]) {
        maximum(Double(value), bound, at: path, into: &issues)
    }
    /// `exclusiveMinimum` for integer fields, with the same check and message.
    public static func exclusiveMinimum(_ value: Int, _ bound: Double, at path: FieldPath, into issues: inout [ValidationIssue]) {
        exclusiveMinimum(Double(value), bound, at: path, into: &issues)
    }
    /// `exclusiveMaximum` for integer fields, with the same check and message.
    public static func exclusiveMaximum(_ value: Int, _ bound: Double, at path: FieldPath, into issues: inout [ValidationIssue]) {
        exclusiveMaximum(Double(value), bound, at: path, into: &issues)
    }

    /// `multipleOf` with JSON Schema's semantics as Python's `jsonschema` implements them:
    /// exact remainder for integers, "quotient is integral" for fractions. Records "`value` is not a multiple of
    /// `divisor`"; a divisor that is not positive checks nothing.
    public static func multipleOf(_ value: Double, _ divisor: Double, at path: FieldPath, into issues: inout [ValidationIssue]) {
        guard divisor > 0 else { return }
        let failed: Bool
        // Both within ±2^53 before the Int64 conversions: a document's divisor may be any number.
        if value.rounded() == value, divisor.rounded() == divisor, abs(value) < 9.0e15, divisor < 9.0e15 {
            failed = Int64(value) % Int64(divisor) != 0
        } else {
            let quotient = value / divisor
            failed = !quotient.isFinite || quotient.rounded(.towardZero) != quotient
        }
        if failed { issues.append(.init(path: path, message: "\(format(value)) is not a multiple of \(format(divisor))")) }
    }

    /// `multipleOf` for integer fields, with the same check and message.
    public static func multipleOf(_ value: Int, _ divisor: Double, at path: FieldPath, into issues: inout [ValidationIssue]) {
        multipleOf(Double(value), divisor, at: path, into: &issues)
    }

    /// `minLength`: records "length N is shorter than minimum length `bound`", counting Unicode scalars
    /// as JSON Schema counts characters.
    public static func minLength(_ value: String, _ bound: Int, at path: FieldPath, into issues: inout [ValidationIssue]) {
        let length = value.unicodeScalars.count
        if length < bound { issues.append(.init(path: path, message: "length \(length) is shorter than minimum length \(bound)")) }
    }

    /// `maxLength`: records "length N exceeds maximum length `bound`", counting Unicode scalars.
    public static func maxLength(_ value: String, _ bound: Int, at path: FieldPath, into issues: inout [ValidationIssue]) {
        let length = value.unicodeScalars.count
        if length > bound { issues.append(.init(path: path, message: "length \(length) exceeds maximum length \(bound)")) }
    }

    /// `pattern`: records "`"value"` does not match pattern `pattern`" unless the regular expression matches
    /// somewhere in `value` (unanchored, as JSON Schema has it). A pattern that does not compile accepts every value.
    public static func pattern(_ value: String, _ pattern: String, at path: FieldPath, into issues: inout [ValidationIssue]) {
        if !PatternCache.shared.matches(value, pattern: pattern) {
            issues.append(.init(path: path, message: "\(quote(value)) does not match pattern \(pattern)"))
        }
    }

    /// `minItems`: records "has N items, fewer than minimum `bound`" when `count < bound`.
    public static func minItems(_ count: Int, _ bound: Int, at path: FieldPath, into issues: inout [ValidationIssue]) {
        if count < bound { issues.append(.init(path: path, message: "has \(count) items, fewer than minimum \(bound)")) }
    }

    /// `maxItems`: records "has N items, more than maximum `bound`" when `count > bound`.
    public static func maxItems(_ count: Int, _ bound: Int, at path: FieldPath, into issues: inout [ValidationIssue]) {
        if count > bound { issues.append(.init(path: path, message: "has \(count) items, more than maximum \(bound)")) }
    }

    /// Enum membership for values whose Swift type cannot already guarantee it (decoded or raw values).
    public static func oneOf(_ value: String, _ allowed: [String], at path: FieldPath, into issues: inout [ValidationIssue]) {
        if !allowed.contains(value) { issues.append(notOneOf(quote(value), allowed.map(quote), at: path)) }
    }

    /// The enum issue "`rendered` is not one of a, b, …"; `rendered` and `allowed` come already written
    /// (quoted strings, compact JSON). Returns the issue rather than recording it.
    public static func notOneOf(_ rendered: String, _ allowed: [String], at path: FieldPath) -> ValidationIssue {
        .init(path: path, message: "\(rendered) is not one of \(allowed.joined(separator: ", "))")
    }

    /// A required property is missing: records "is required" at the property's path.
    public static func required(at path: FieldPath, into issues: inout [ValidationIssue]) {
        issues.append(.init(path: path, message: "is required"))
    }

    /// Numbers as a person writes them: `80`, `7.5`, `0.001`.
    public static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// A string as a JSON string literal (RFC 8259 escapes), so values in messages and `compactText`
    /// are unambiguous and valid JSON. Also the generator's JSON writer's quoting.
    public static func quote(_ value: String) -> String {
        var bytes: [UInt8] = []
        JSONStream.appendQuoted(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
