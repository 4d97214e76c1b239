import Foundation
import Logging

/// What the client logs, in one place so messages and metadata keys stay consistent.
///
/// Levels follow the server-side Swift convention for libraries: `debug` for the normal course of work
/// (submits, uploads, parts), `notice` for what a user may want to act on though the call goes on (a retry,
/// a status stream that fell back to polling, a submit not resent to avoid double billing). Nothing is
/// logged at `info` or above on success, and nothing at all without a configured logger.
extension FalClient {
    var logger: Logger? { configuration.logger }

    /// A URL as logged: scheme, host and path only. Queries can carry a webhook URL with the user's own
    /// tokens, and user info can carry credentials; neither belongs in a log.
    static func loggable(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "<unparseable URL>" }
        components.query = nil
        components.fragment = nil
        components.user = nil
        components.password = nil
        return components.string ?? "<unparseable URL>"
    }

    func logRetry(_ request: FalRequest, attempt: Int, delay: Duration, reason: String) {
        logger?.notice("retrying fal request", metadata: [
            "fal.method": "\(request.method)", "fal.url": "\(Self.loggable(request.url))",
            "fal.attempt": "\(attempt + 1)/\(configuration.retry.maxAttempts)",
            "fal.delay_ms": "\(delay.wholeMilliseconds)", "fal.reason": "\(reason)",
        ])
    }

    func logNotResent(_ request: FalRequest, reason: String) {
        logger?.notice("not resending a request that may have reached fal (it would start another billed run)", metadata: [
            "fal.method": "\(request.method)", "fal.url": "\(Self.loggable(request.url))", "fal.reason": "\(reason)",
        ])
    }

    /// Why an answer is worth another attempt, in a few words.
    static func retryReason(_ response: HTTPResponse, policy: RetryPolicy) -> String {
        policy.isIngressError(response) ? "ingress HTTP \(response.status)" : "HTTP \(response.status)"
    }
}
