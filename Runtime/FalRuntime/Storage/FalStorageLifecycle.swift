import FalCore
import Foundation

/// How long fal keeps an uploaded file and who may read it, as fal's JS client sets them (`StorageSettings`):
/// sent as the `X-Fal-Object-Lifecycle` header of the upload (`{"expiration_duration_seconds": …, "initial_acl": …}`).
///
///     let url = try await fal.storage.upload(data, contentType: "image/png",
///                                            lifecycle: .init(expiresIn: .oneDay, initialACL: .init(default: .forbid)))
public struct FalStorageLifecycle: Sendable, Hashable {
    /// When fal deletes the file; nil leaves fal's default (as `.never` does).
    public var expiresIn: Expiration?
    /// Who may read the file once it is stored; nil leaves fal's default.
    public var initialACL: ACL?

    /// A lifecycle with either setting.
    public init(expiresIn: Expiration? = nil, initialACL: ACL? = nil) {
        self.expiresIn = expiresIn
        self.initialACL = initialACL
    }

    /// fal-js's `ObjectExpiration`: named durations or a number of seconds.
    public enum Expiration: Sendable, Hashable {
        /// Kept until deleted: no expiration is sent.
        case never
        /// 60 seconds.
        case immediate
        /// 1 hour.
        case oneHour
        /// 1 day.
        case oneDay
        /// 7 days.
        case sevenDays
        /// 30 days.
        case thirtyDays
        /// 365 days.
        case oneYear
        /// Any number of seconds, at least 1.
        case seconds(Int)

        /// The `expiration_duration_seconds` fal receives; nil for `.never`.
        public var seconds: Int? {
            switch self {
            case .never: return nil
            case .immediate: return 60
            case .oneHour: return 3600
            case .oneDay: return 86_400
            case .sevenDays: return 604_800
            case .thirtyDays: return 2_592_000
            case .oneYear: return 31_536_000
            case .seconds(let seconds): return seconds
            }
        }
    }

    /// fal-js's `StorageACL`: a default decision and per-user rules.
    public struct ACL: Sendable, Hashable {
        /// What happens to a reader no rule names.
        public var `default`: Decision?
        /// Decisions for particular users.
        public var rules: [Rule]

        /// An ACL with a default decision and rules.
        public init(default: Decision? = nil, rules: [Rule] = []) {
            self.default = `default`
            self.rules = rules
        }

        /// One user's decision.
        public struct Rule: Sendable, Hashable {
            /// The fal user (or team) the rule is about.
            public var user: String
            /// What that user gets.
            public var decision: Decision

            /// A rule for `user`.
            public init(user: String, decision: Decision) {
                self.user = user
                self.decision = decision
            }
        }

        /// fal's `StorageACLDecision`.
        public enum Decision: String, Sendable, Hashable {
            /// The file is served.
            case allow
            /// The file is refused (403).
            case forbid
            /// The file appears not to exist (404).
            case hide
        }
    }

    /// The header's value, or nil when nothing is set (no header is sent then). Throws `FalError.validation`
    /// naming the field for a non-positive duration or an empty rule user; nothing is uploaded then.
    func headerValue() throws(FalError) -> String? {
        var issues: [ValidationIssue] = []
        var object: [String: JSONValue] = [:]
        if let seconds = expiresIn?.seconds {
            if seconds < 1 { issues.append(ValidationIssue(path: FieldPath("lifecycle.expiresIn"), message: "\(seconds) is less than minimum 1 (seconds)")) }
            object["expiration_duration_seconds"] = .int(seconds)
        }
        if let acl = initialACL {
            var value: [String: JSONValue] = [:]
            if let decision = acl.default { value["default"] = .string(decision.rawValue) }
            for (index, rule) in acl.rules.enumerated() where rule.user.isEmpty {
                issues.append(ValidationIssue(path: FieldPath("lifecycle.initialACL.rules").index(index).key("user"), message: "must not be empty"))
            }
            if !acl.rules.isEmpty {
                value["rules"] = .array(acl.rules.map { ["user": .string($0.user), "decision": .string($0.decision.rawValue)] })
            }
            object["initial_acl"] = .object(value)
        }
        guard issues.isEmpty else { throw FalError.validation(issues) }
        guard !object.isEmpty else { return nil }
        return FalErrorMapping.compactJSON(.object(object))
    }

    /// The header fal's storage reads (fal-js: `X-Fal-Object-Lifecycle`).
    static let headerName = "X-Fal-Object-Lifecycle"
}
