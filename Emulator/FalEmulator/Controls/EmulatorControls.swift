/// How emulated requests behave: timing, queue depth and injected failures. Set per emulator
/// (`FalEmulator.Configuration.controls`, `PUT /_emulator/controls`) and overridden per request by headers.
public struct EmulatorControls: Sendable, Hashable, Codable {
    /// Time a request spends `IN_PROGRESS` (the "model" running).
    public var latencyMilliseconds: Int
    /// Queue positions a request waits through before it starts (`queue_position` counts down from this).
    public var queueDepth: Int
    /// Time spent at each queue position.
    public var queueStepMilliseconds: Int
    /// Log lines a request emits while in progress.
    public var logLines: Int
    /// A failure to inject, or nil for none.
    public var failure: FailureInjection?
    /// Time the "model" takes per realtime input (WebSocket). Realtime apps answer in tens of milliseconds, so
    /// this is apart from `latencyMilliseconds` and small by default; a handshake's `X-Fal-Emulator-Latency-Ms`
    /// header sets it for that connection.
    public var realtimeLatencyMilliseconds: Int
    /// A realtime connection sends fal's `x-fal-message` timings frame after every N-th result (0: never).
    /// Clients must skip it; the default (every second result) makes a client meet both cases.
    public var realtimeTimingsEvery: Int

    public init(
        latencyMilliseconds: Int = 400, queueDepth: Int = 2, queueStepMilliseconds: Int = 150,
        logLines: Int = 4, failure: FailureInjection? = nil, realtimeLatencyMilliseconds: Int = 30, realtimeTimingsEvery: Int = 2
    ) {
        self.latencyMilliseconds = latencyMilliseconds
        self.queueDepth = queueDepth
        self.queueStepMilliseconds = queueStepMilliseconds
        self.logLines = logLines
        self.failure = failure
        self.realtimeLatencyMilliseconds = realtimeLatencyMilliseconds
        self.realtimeTimingsEvery = realtimeTimingsEvery
    }

    enum CodingKeys: String, CodingKey {
        case latencyMilliseconds = "latency_ms", queueDepth = "queue_depth", queueStepMilliseconds = "queue_step_ms"
        case logLines = "log_lines", failure
        case realtimeLatencyMilliseconds = "realtime_latency_ms", realtimeTimingsEvery = "realtime_timings_every"
    }

    /// Missing keys keep their defaults, so `PUT /_emulator/controls` can send only what changes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = EmulatorControls()
        latencyMilliseconds = try container.decodeIfPresent(Int.self, forKey: .latencyMilliseconds) ?? defaults.latencyMilliseconds
        queueDepth = try container.decodeIfPresent(Int.self, forKey: .queueDepth) ?? defaults.queueDepth
        queueStepMilliseconds = try container.decodeIfPresent(Int.self, forKey: .queueStepMilliseconds) ?? defaults.queueStepMilliseconds
        logLines = try container.decodeIfPresent(Int.self, forKey: .logLines) ?? defaults.logLines
        failure = try container.decodeIfPresent(FailureInjection.self, forKey: .failure)
        realtimeLatencyMilliseconds =
            try container.decodeIfPresent(Int.self, forKey: .realtimeLatencyMilliseconds) ?? defaults.realtimeLatencyMilliseconds
        realtimeTimingsEvery = try container.decodeIfPresent(Int.self, forKey: .realtimeTimingsEvery) ?? defaults.realtimeTimingsEvery
    }

    /// The same controls with every value in a range the emulator can act on without overflow: timings
    /// up to 10 minutes in all, queue depth up to 10,000, log lines up to 1,000, stalls up to 10 minutes.
    /// Values come from headers and `PUT /_emulator/controls`, so anything may arrive.
    func bounded() -> EmulatorControls {
        var controls = self
        controls.latencyMilliseconds = min(max(latencyMilliseconds, 0), 600_000)
        controls.queueDepth = min(max(queueDepth, 0), 10_000)
        controls.queueStepMilliseconds = min(max(queueStepMilliseconds, 0), 60_000)
        controls.logLines = min(max(logLines, 0), 1_000)
        controls.realtimeLatencyMilliseconds = min(max(realtimeLatencyMilliseconds, 0), 600_000)
        controls.realtimeTimingsEvery = min(max(realtimeTimingsEvery, 0), 1_000_000)
        if let failure {
            controls.failure?.stallSeconds = failure.stallSeconds.isNaN ? 0 : min(max(failure.stallSeconds, 0), Double(FailureInjection.maxStallSeconds))
        }
        return controls
    }

    /// No waiting at all: what load tests and most unit tests want.
    public static let immediate = EmulatorControls(
        latencyMilliseconds: 0, queueDepth: 0, queueStepMilliseconds: 0, logLines: 2, realtimeLatencyMilliseconds: 0)
}

/// A deterministic failure: the first `times` matching attempts of a scenario fail, later ones succeed.
public struct FailureInjection: Sendable, Hashable, Codable {
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        /// 429 with fal's JSON body and `x-fal-request-id` (clients retry it).
        case rateLimited = "429"
        /// 503 from the ingress: nginx's HTML page, no `x-fal-request-id` (clients retry it).
        case ingressUnavailable = "503"
        /// The TCP connection is reset before any response byte.
        case connectionReset = "reset"
        /// Headers and part of the body are sent, then nothing until `stallSeconds` pass.
        case stalledBody = "stall"
        /// The request is accepted and runs, then finishes `COMPLETED` with an error.
        case completedWithError = "error"
    }

    public var mode: Mode
    /// How many attempts fail before the scenario succeeds; nil fails every attempt.
    public var times: Int?
    /// Which operations it applies to; nil means all of them.
    public var operations: Set<Operation>?
    /// How long a stalled body hangs before the connection is closed (at most `maxStallSeconds`).
    public var stallSeconds: Double

    /// Longest stall the emulator holds a connection for.
    public static let maxStallSeconds = 600

    public init(mode: Mode, times: Int? = nil, operations: Set<Operation>? = nil, stallSeconds: Double = 30) {
        self.mode = mode
        self.times = times
        self.operations = operations
        self.stallSeconds = stallSeconds
    }

    enum CodingKeys: String, CodingKey {
        case mode, times, operations, stallSeconds = "stall_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.decode(Mode.self, forKey: .mode)
        times = try container.decodeIfPresent(Int.self, forKey: .times)
        operations = try container.decodeIfPresent(Set<Operation>.self, forKey: .operations)
        stallSeconds = try container.decodeIfPresent(Double.self, forKey: .stallSeconds) ?? 30
    }
}

/// The fal operations a failure can target, and the names the request log counts them under.
/// `realtime` counts WebSocket handshakes (failures are not injected into them: see `/_emulator/realtime/…`
/// for realtime's own faults) and `token` the realtime token route (`POST /rest/tokens/`).
public enum Operation: String, Sendable, Hashable, Codable, CaseIterable {
    case submit, status, statusStream = "status_stream", result, cancel, run, stream, upload, storage, openapi, token, realtime
}
