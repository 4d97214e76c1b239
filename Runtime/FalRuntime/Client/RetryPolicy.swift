import Foundation

/// When and how often a failed request is tried again, as fal's official clients do it: up to 10
/// attempts, exponential backoff from 0.1 s capped at 30 s with jitter ×0.5–1.5, on 408/409/429,
/// ingress 502/503/504 (nginx's body, no `x-fal-request-id`), transport errors and timeouts — except
/// when the caller set a server-side request timeout, which must be honoured rather than retried.
///
/// Requests that start work on fal (submit, run) are stricter, so one call never starts two billed
/// runs: they are sent again only after a connect failure (nothing was sent), a 429 or an ingress 503
/// (refused before processing), unless `resendsAmbiguousRequests` is set.
public struct RetryPolicy: Sendable, Equatable {
    /// Most tries of one request, the first included: 10 by default; the initializer raises 0 to 1.
    public var maxAttempts: Int
    /// Backoff before the second attempt, doubled for each one after it (0.1 s by default).
    public var baseDelay: Duration
    /// Cap on any single backoff, a server's `Retry-After` included (30 s by default).
    public var maxDelay: Duration
    /// Range of the random factor each backoff is multiplied by (0.5...1.5), so clients do not retry in step.
    public var jitter: ClosedRange<Double>
    /// Statuses worth another attempt (408, 409, 429 by default); submit and run resend only after a 429
    /// unless `resendsAmbiguousRequests` is set.
    public var retryStatusCodes: Set<Int>
    /// Statuses retried only when the load balancer sent them (no `x-fal-request-id`, nginx's page):
    /// 502, 503, 504 by default.
    public var ingressStatusCodes: Set<Int>
    /// Opt-in: also resend submit and run after failures that leave open whether fal received them
    /// (a timeout, a reset after sending, an ingress 502/504). Each resend may start another billed run.
    public var resendsAmbiguousRequests: Bool

    /// A policy with fal's clients' defaults for anything not given.
    public init(
        maxAttempts: Int = 10, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(30),
        jitter: ClosedRange<Double> = 0.5...1.5, retryStatusCodes: Set<Int> = [408, 409, 429],
        ingressStatusCodes: Set<Int> = [502, 503, 504], resendsAmbiguousRequests: Bool = false
    ) {
        self.resendsAmbiguousRequests = resendsAmbiguousRequests
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.retryStatusCodes = retryStatusCodes
        self.ingressStatusCodes = ingressStatusCodes
    }

    /// fal's official clients' policy: the initializer's defaults.
    public static let `default` = RetryPolicy()
    /// A single attempt: nothing is sent again.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Backoff before attempt `attempt + 1` (attempts count from 1), honouring `Retry-After` when given.
    /// Computed in seconds as `Double` and clamped before it becomes a `Duration`, so no policy value or
    /// server header can overflow or trap (a `Duration` multiplied past its range traps).
    func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        let cap = max(0, maxDelay.inSeconds)
        if let retryAfter { return Self.duration(seconds: min(max(0, retryAfter.inSeconds), cap)) }
        let exponent = Double(min(max(attempt, 1), 41) - 1)
        let base = min(max(0, baseDelay.inSeconds) * pow(2, exponent), cap)
        // `Double.random(in:)` traps on a range whose width is not finite (`0...Double.infinity`, found by ClientFuzz):
        // such a range gets no jitter.
        let factor = (jitter.upperBound - jitter.lowerBound).isFinite ? Double.random(in: jitter) : 1
        return Self.duration(seconds: min(base * (factor.isFinite ? max(0, factor) : 1), cap))
    }

    /// A finite, non-negative number of seconds as a `Duration` (NaN becomes zero; anything above a year is a year).
    static func duration(seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .milliseconds(Int64(min(seconds, Self.longestDelaySeconds) * 1000))
    }

    /// The longest delay a server may ask for before the policy's own cap applies: one year.
    static let longestDelaySeconds: Double = 365 * 24 * 3600

    /// `duration` as the clock can sleep it: `Task.sleep(for: .seconds(.max))` traps when the deadline's seconds
    /// overflow `Int64` (found by ClientFuzz with `subscribe(timeout: .seconds(.max))`). Negative waits are zero,
    /// anything longer than a year is a year.
    static func sleepable(_ duration: Duration) -> Duration {
        min(max(duration, .zero), .seconds(Int64(longestDelaySeconds)))
    }

    /// Whether an HTTP answer is worth another attempt.
    func shouldRetry(_ response: HTTPResponse) -> Bool {
        // A 504 carrying the timeout type is the caller's own deadline firing: honour it.
        if response.status == 504, response.headers.contains("X-Fal-Request-Timeout-Type") { return false }
        if retryStatusCodes.contains(response.status) { return true }
        return isIngressError(response)
    }

    /// Whether an answer to a work-starting request says it was refused before any processing: a 429, or
    /// an ingress 503 (the load balancer had no runner to hand it to).
    func refusedBeforeProcessing(_ response: HTTPResponse) -> Bool {
        guard shouldRetry(response) else { return false }
        return response.status == 429 || (response.status == 503 && isIngressError(response))
    }

    /// An error from the load balancer rather than from fal's application: no request id, nginx's page.
    func isIngressError(_ response: HTTPResponse) -> Bool {
        guard ingressStatusCodes.contains(response.status), !response.headers.contains("x-fal-request-id") else { return false }
        return String(decoding: response.body.prefix(64 * 1024), as: UTF8.self).contains("nginx")
    }

    /// Parses `Retry-After` (delta seconds or an HTTP date). Only digits (with an optional fraction) count as
    /// seconds: `inf`, `nan`, `1e20`, `-1` and hex are ignored, as is any value a server could use to make the
    /// client trap or sleep for ages; what is left is capped at a year here and at `maxDelay` by `delay`.
    static func retryAfter(_ response: HTTPResponse, now: Date = Date()) -> Duration? {
        guard let value = response.headers["Retry-After"]?.trimmingCharacters(in: .whitespaces), !value.isEmpty,
              value.utf8.count <= 64 else { return nil }
        if isDeltaSeconds(value) { return Double(value).map { duration(seconds: $0) } }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return duration(seconds: date.timeIntervalSince(now))
    }

    /// `1*DIGIT` as RFC 9110 defines delta-seconds, also accepting a decimal fraction (`1.5`), nothing else.
    private static func isDeltaSeconds(_ value: String) -> Bool {
        let parts = value.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { (0x30...0x39).contains($0) } }) else { return false }
        return true
    }
}
