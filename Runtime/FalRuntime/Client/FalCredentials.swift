import Foundation

/// A fal API key. It is only ever written into the `Authorization` header of requests to the
/// configured fal hosts; `description`, `debugDescription` and reflection show it redacted.
public struct FalCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let key: String

    /// A key as fal's dashboard shows it (`key_id:key_secret`).
    public init(key: String) { self.key = key }

    /// A key given as its two halves, joined as fal expects them: `key_id:key_secret`.
    public init(keyID: String, keySecret: String) { self.key = "\(keyID):\(keySecret)" }

    /// `FAL_KEY`, or `FAL_KEY_ID` + `FAL_KEY_SECRET`, as fal's clients read them; nil when neither is set.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> FalCredentials? {
        if let key = environment["FAL_KEY"], !key.isEmpty { return FalCredentials(key: key) }
        if let id = environment["FAL_KEY_ID"], let secret = environment["FAL_KEY_SECRET"], !id.isEmpty, !secret.isEmpty {
            return FalCredentials(keyID: id, keySecret: secret)
        }
        return nil
    }

    package var authorizationHeaderValue: String { "Key \(key)" }

    /// Always `FalCredentials(<redacted>)`, so the key never reaches logs or string interpolation.
    public var description: String { "FalCredentials(<redacted>)" }
    /// The same redacted text, for `debugPrint` and the debugger.
    public var debugDescription: String { description }
    /// A mirror with no children, so `dump` and other reflection cannot reach the key.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
