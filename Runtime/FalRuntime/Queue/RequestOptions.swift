import Foundation

/// Per-request settings of submit, subscribe and run, sent as fal's headers.
public struct RequestOptions: Sendable {
    /// Where fal places the request in its queue (`X-Fal-Queue-Priority`).
    public enum Priority: String, Sendable {
        /// fal's default.
        case normal
        /// Lets the account's normal-priority requests go first.
        case low
    }

    /// `X-Fal-Queue-Priority` (queue only).
    public var priority: Priority?
    /// `X-Fal-Request-Timeout`: server-side limit on waiting before processing starts (> 1 s).
    /// When set, client timeouts are not retried, as fal's clients do.
    public var startTimeout: Duration?
    /// `X-Fal-Runner-Hint`: routes to a runner holding state for this hint.
    public var runnerHint: String?
    /// `X-Fal-Object-Lifecycle-Preference`: how long fal keeps files this request produces.
    public var objectExpiration: Duration?
    /// Extra headers, sent as given.
    public var headers: [String: String]

    /// Options as given; `validate()` checks them, and the client calls it before any I/O.
    public init(
        priority: Priority? = nil, startTimeout: Duration? = nil, runnerHint: String? = nil,
        objectExpiration: Duration? = nil, headers: [String: String] = [:]
    ) {
        self.priority = priority
        self.startTimeout = startTimeout
        self.runnerHint = runnerHint
        self.objectExpiration = objectExpiration
        self.headers = headers
    }

    /// Refuses header names and values that would break the request's framing (CR, LF, NUL: header
    /// injection) or are not HTTP tokens, naming the option; runs before any I/O.
    public func validate() throws(FalError) {
        var issues: [ValidationIssue] = []
        let options = FieldPath("options")
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            let path = options.key("headers").key(name)
            if !HTTPHeaders.isValidName(name) {
                issues.append(ValidationIssue(path: path, message: "header name '\(name.debugDescription.dropFirst().dropLast())' is not an HTTP token"))
            }
            if !HTTPHeaders.isValidValue(value) {
                issues.append(ValidationIssue(path: path, message: "header value must not contain CR, LF or NUL"))
            }
        }
        if let runnerHint, !HTTPHeaders.isValidValue(runnerHint) {
            issues.append(ValidationIssue(path: options.key("runnerHint"), message: "must not contain CR, LF or NUL"))
        }
        if !issues.isEmpty { throw FalError.validation(issues) }
    }

    func apply(to headers: inout HTTPHeaders, queue: Bool) throws(FalError) {
        try validate()
        for (name, value) in self.headers { headers.set(name, value) }
        if let priority, queue { headers.set("X-Fal-Queue-Priority", priority.rawValue) }
        if let runnerHint { headers.set("X-Fal-Runner-Hint", runnerHint) }
        if let startTimeout {
            let seconds = startTimeout.inSeconds
            guard seconds > 1 else {
                throw FalError.validation([ValidationIssue(path: FieldPath("startTimeout"), message: "\(seconds) must be greater than 1 second")])
            }
            headers.set("X-Fal-Request-Timeout", String(seconds))
        }
        if let objectExpiration {
            headers.set("X-Fal-Object-Lifecycle-Preference", "{\"expiration_duration_seconds\":\(max(1, objectExpiration.components.seconds))}")
        }
    }
}
