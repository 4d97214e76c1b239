/// Where a queued request's status, result and cancel live.
///
/// fal's submit answer names them (`status_url`, `response_url`, `cancel_url`), and fal's Python client
/// follows those. So does `subscribe`, but only when each lies under the configured queue host: the key is
/// sent with them, and it must never go anywhere else. Any other URL (or none) is replaced by the one built
/// from the endpoint id, as `status(_:requestID:)` and friends build it.
struct QueueURLs: Sendable, Equatable {
    let requestID: String
    /// `…/requests/{id}/status`, without a query.
    let statusBase: String
    /// `…/requests/{id}`.
    let result: String
    /// `…/requests/{id}/cancel`.
    let cancel: String

    /// The URLs built from the endpoint id, on the configured queue host.
    init(_ endpointID: String, requestID: String, hosts: FalHosts) throws(FalError) {
        let endpoint = try EndpointPath(endpointID)
        let base = "\(hosts.queue)/\(endpoint.app)/requests/\(FalClient.percentEncoded(requestID))"
        self.requestID = requestID
        statusBase = base + "/status"
        result = base
        cancel = base + "/cancel"
    }

    /// The URLs of a submission: fal's own where they lie under the configured queue host.
    init(_ endpointID: String, submission: QueueSubmission, hosts: FalHosts) throws(FalError) {
        let built = try QueueURLs(endpointID, requestID: submission.requestID, hosts: hosts)
        // A URL with whitespace or a control character is not followed either (it cannot be sent as it is).
        func onQueueHost(_ url: String?) -> String? {
            guard let url, Self.isUnder(hosts.queue, url), !url.contains("?"), !url.contains("#"),
                  !url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return nil }
            return url
        }
        requestID = submission.requestID
        statusBase = onQueueHost(submission.statusURL) ?? built.statusBase
        result = onQueueHost(submission.responseURL) ?? built.result
        cancel = onQueueHost(submission.cancelURL) ?? built.cancel
    }

    func status(logs: Bool) -> String { statusBase + (logs ? "?logs=1" : "") }
    func statusStream(logs: Bool) -> String { statusBase + "/stream" + (logs ? "?logs=1" : "") }

    /// Whether `url` lies under `base` (same origin, and under its path prefix): no `https://queue.fal.run.evil`.
    static func isUnder(_ base: String, _ url: String) -> Bool {
        url.hasPrefix(base + "/") && !url.contains("\\") && !url.contains("/../") && !url.hasSuffix("/..")
    }
}
