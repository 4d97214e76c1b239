import Foundation
import Synchronization

/// Compiled `pattern` regexes, shared because generated validators run on every request.
/// JSON Schema patterns are ECMA-262 and unanchored; NSRegularExpression's dialect covers what fal uses.
final class PatternCache: Sendable {
    static let shared = PatternCache()

    private let compiled = Mutex<[String: NSRegularExpression?]>([:])

    func matches(_ value: String, pattern: String) -> Bool {
        let expression = compiled.withLock { cache -> NSRegularExpression? in
            if let hit = cache[pattern] { return hit }
            let made = try? NSRegularExpression(pattern: pattern)
            cache[pattern] = made
            return made
        }
        // An uncompilable pattern cannot be enforced; accept rather than reject every value.
        guard let expression else { return true }
        let range = NSRange(value.startIndex..<value.endIndex, in: value)
        return expression.firstMatch(in: value, range: range) != nil
    }
}
