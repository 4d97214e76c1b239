/// Why no alternative of a generated union decoded: each alternative tried, with its own error, so a
/// caller sees that `ImageSize` failed on `width` rather than only "expected one of …".
public struct AlternativeFailures: Error, Sendable, CustomStringConvertible {
    /// Each alternative tried, in order, with the error it failed with.
    public private(set) var failures: [(alternative: String, error: any Error)] = []

    /// No failures yet; a generated union's `init(from:)` records one per alternative that does not decode.
    public init() {}

    /// Notes that `alternative` did not decode.
    public mutating func record(_ alternative: String, _ error: any Error) {
        failures.append((alternative, error))
    }

    /// Every alternative's failure as `Alternative: .path: reason`, separated by `; `.
    public var description: String { summary(below: 0) }

    /// The error a union's `init(from:)` throws: what was expected, and every alternative's failure with its
    /// path inside the union's value (`ImageSize: .width: Expected to decode Int but found a string`).
    public func decodingError(in container: any SingleValueDecodingContainer, expected: String) -> DecodingError {
        let detail = failures.isEmpty ? "" : " (\(summary(below: container.codingPath.count)))"
        return DecodingError.dataCorrupted(.init(codingPath: container.codingPath,
                                                 debugDescription: "expected one of: \(expected)\(detail)", underlyingError: self))
    }

    private func summary(below depth: Int) -> String {
        failures.map { "\($0.alternative): \(Self.summary($0.error, below: depth))" }.joined(separator: "; ")
    }

    private static func summary(_ error: any Error, below depth: Int) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        func at(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.dropFirst(depth).map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        }
        switch decoding {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): return at(context)
        case .keyNotFound(let key, let context): return at(.init(codingPath: context.codingPath, debugDescription: "missing key \"\(key.stringValue)\""))
        @unknown default: return "\(decoding)"
        }
    }
}
