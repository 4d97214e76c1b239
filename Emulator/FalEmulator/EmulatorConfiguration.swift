import Foundation

extension FalEmulator {
    /// Everything an emulator instance is started with. Defaults suit `make demo` and local testing.
    public struct Configuration: Sendable {
        /// Interface to bind; tests and benchmarks use 127.0.0.1 only.
        public var host: String
        /// Port to bind; 0 picks a free one (read it back from `baseURL`).
        public var port: Int
        /// When set, `Authorization: Key <apiKey>` must match it exactly; otherwise any `Key …` is accepted.
        public var apiKey: String?
        /// Directory of fal queue OpenAPI documents to serve (`schemas/`).
        public var schemasDirectory: URL
        /// Overlays applied to those documents before validation (`schemas/overlays`); nil for none.
        public var overlaysDirectory: URL?
        /// Timing and failure behaviour, overridable per request with `ControlHeaders`.
        public var controls: EmulatorControls
        /// Webhook delivery retries.
        public var webhookRetry: WebhookRetryPolicy
        /// The user id webhooks are signed for (`X-Fal-Webhook-User-Id`).
        public var webhookUserID: String
        /// Largest JSON request body accepted (413 beyond).
        public var maxJSONBodyBytes: Int
        /// Largest single upload body (direct, signed PUT, or multipart part) accepted (413 beyond). Bodies
        /// stream to disk, so this bounds disk use per request, not memory.
        public var maxUploadBytes: Int
        /// Disk budget for uploaded files (and parts of open multipart uploads); the oldest files are evicted
        /// beyond it.
        public var maxStoredFileBytes: Int
        /// Where the emulator makes its own directory for uploaded bytes (removed on `stop()`); nil for the
        /// system's temporary directory.
        public var uploadsParentDirectory: URL?
        /// Requests whose status and result are kept; the oldest are evicted beyond it.
        public var maxStoredRequests: Int
        /// Total request-body bytes kept for stored requests; the oldest are evicted beyond it.
        public var maxStoredRequestBytes: Int
        /// Entries kept in the request log.
        public var requestLogCapacity: Int
        /// Bytes that webhook deliveries waiting or retrying may hold in all (payload bodies plus ~1 KiB
        /// each); beyond it new deliveries are refused and recorded at `GET /_emulator/webhooks`.
        public var maxPendingWebhookBytes: Int
        /// A realtime WebSocket that receives no input for this long gets fal's `TIMEOUT` error frame ("no
        /// inputs, reconnect when needed!") and a normal close, once its pending inputs are answered. fal's
        /// realtime apps set this per app (`session_timeout`); 60 s is the emulator's default.
        public var realtimeIdleTimeout: Duration
        /// Open realtime WebSockets at most; handshakes beyond are refused with 503.
        public var realtimeMaxConnections: Int
        /// Largest WebSocket message accepted or sent (inputs beyond are closed with 1009, sync-mode outputs
        /// beyond answer an `OUTPUT_TOO_LARGE` error frame).
        public var realtimeMaxMessageBytes: Int

        public init(
            host: String = "127.0.0.1", port: Int = 0, apiKey: String? = nil,
            schemasDirectory: URL = URL(fileURLWithPath: "schemas"), overlaysDirectory: URL? = nil,
            controls: EmulatorControls = EmulatorControls(), webhookRetry: WebhookRetryPolicy = WebhookRetryPolicy(),
            webhookUserID: String = "emulator-user", maxJSONBodyBytes: Int = 8 << 20, maxUploadBytes: Int = 1 << 30,
            maxStoredFileBytes: Int = 4 << 30, uploadsParentDirectory: URL? = nil, maxStoredRequests: Int = 10_000,
            maxStoredRequestBytes: Int = 128 << 20, requestLogCapacity: Int = 10_000, maxPendingWebhookBytes: Int = 64 << 20,
            realtimeIdleTimeout: Duration = .seconds(60), realtimeMaxConnections: Int = 1024, realtimeMaxMessageBytes: Int = 16 << 20
        ) {
            self.host = host
            self.port = port
            self.apiKey = apiKey
            self.schemasDirectory = schemasDirectory
            self.overlaysDirectory = overlaysDirectory ?? Self.defaultOverlays(for: schemasDirectory)
            self.controls = controls
            self.webhookRetry = webhookRetry
            self.webhookUserID = webhookUserID
            self.maxJSONBodyBytes = maxJSONBodyBytes
            self.maxUploadBytes = maxUploadBytes
            self.maxStoredFileBytes = maxStoredFileBytes
            self.uploadsParentDirectory = uploadsParentDirectory
            self.maxStoredRequests = maxStoredRequests
            self.maxStoredRequestBytes = maxStoredRequestBytes
            self.requestLogCapacity = requestLogCapacity
            self.maxPendingWebhookBytes = maxPendingWebhookBytes
            self.realtimeIdleTimeout = realtimeIdleTimeout
            self.realtimeMaxConnections = max(1, realtimeMaxConnections)
            self.realtimeMaxMessageBytes = min(max(realtimeMaxMessageBytes, 64 << 10), 1 << 30)
        }

        /// `<schemas>/overlays` when it exists: the generator's convention.
        static func defaultOverlays(for schemas: URL) -> URL? {
            let candidate = schemas.appendingPathComponent("overlays")
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) && isDirectory.boolValue ? candidate : nil
        }
    }
}

/// fal retries failed webhook deliveries (10 times over 2 hours); the emulator keeps the count and
/// compresses the schedule: `initialDelay`, doubling up to `maxDelay`.
public struct WebhookRetryPolicy: Sendable, Hashable {
    /// Deliveries attempted in total (first try plus retries).
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// Per-attempt timeout for the receiver to answer.
    public var timeout: Duration

    public init(maxAttempts: Int = 11, initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(60), timeout: Duration = .seconds(15)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.timeout = timeout
    }

    func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(attempt, 1) {
            delay = delay * 2
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }
}
