extension ProxyTargetPolicy {
    /// Groups of fal's Platform API (`https://api.fal.ai/v1/models…`, what `FalClient.platform` calls) that a proxy
    /// may forward. Every one of them runs on the proxy's key, so none is forwarded unless the app names it:
    ///
    ///     ProxyTargetPolicy(platformOperations: .catalog)  // model search and prices, nothing of the account
    ///
    /// Paths are matched exactly (a query string may follow), so a group never opens what lies below it.
    public struct PlatformOperations: OptionSet, Sendable, Hashable {
        /// The bits.
        public let rawValue: Int
        /// A set from its bits.
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Model search and prices: `GET /v1/models`, `GET /v1/models/pricing`, `POST /v1/models/pricing/estimate`.
        /// What fal publishes about its models, at the prices of the proxy's account.
        public static let catalog = PlatformOperations(rawValue: 1 << 0)
        /// The account's activity: usage, analytics, billing events, and the requests made to its endpoints
        /// (`/v1/models/usage`, `/analytics`, `/billing-events`, `/requests/by-endpoint`, `/requests/search`).
        /// Every caller of the proxy would see every other caller's requests and spend.
        public static let accountActivity = PlatformOperations(rawValue: 1 << 1)
        /// Deleting a request's stored inputs and outputs: `DELETE /v1/models/requests/{request_id}/payloads`,
        /// for any request of the account.
        public static let payloadDeletion = PlatformOperations(rawValue: 1 << 2)
        /// The three groups.
        public static let all: PlatformOperations = [.catalog, .accountActivity, .payloadDeletion]

        static let catalogPaths: Set<String> = ["/v1/models", "/v1/models/pricing", "/v1/models/pricing/estimate"]
        static let accountActivityPaths: Set<String> = [
            "/v1/models/usage", "/v1/models/analytics", "/v1/models/billing-events",
            "/v1/models/requests/by-endpoint", "/v1/models/requests/search",
        ]

        /// Whether `path` (without its query) is an operation of these groups.
        func allows(_ path: String) -> Bool {
            if contains(.catalog) && Self.catalogPaths.contains(path) { return true }
            if contains(.accountActivity) && Self.accountActivityPaths.contains(path) { return true }
            if contains(.payloadDeletion) {
                // /v1/models/requests/{request_id}/payloads: one non-empty segment for the id.
                let segments = path.split(separator: "/", omittingEmptySubsequences: false)
                if segments.count == 6, segments[0].isEmpty, segments[1] == "v1", segments[2] == "models",
                   segments[3] == "requests", !segments[4].isEmpty, segments[5] == "payloads" {
                    return true
                }
            }
            return false
        }
    }
}
