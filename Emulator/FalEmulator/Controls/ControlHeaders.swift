import HTTPTypes

/// Per-request overrides of `EmulatorControls`, sent as headers. fal ignores unknown headers, so a client
/// can send these to the real service harmlessly.
public enum ControlHeaders {
    /// Milliseconds the request runs (`IN_PROGRESS`). Example: `X-Fal-Emulator-Latency-Ms: 0`.
    public static let latency = "X-Fal-Emulator-Latency-Ms"
    /// Queue positions to wait through. Example: `X-Fal-Emulator-Queue-Depth: 3`.
    public static let queueDepth = "X-Fal-Emulator-Queue-Depth"
    /// Milliseconds per queue position.
    public static let queueStep = "X-Fal-Emulator-Queue-Step-Ms"
    /// Failure to inject: `429`, `503`, `reset`, `stall` or `error`.
    public static let failure = "X-Fal-Emulator-Failure"
    /// Fail only the first N attempts of the scenario, then succeed.
    public static let failureTimes = "X-Fal-Emulator-Failure-Times"
    /// Seconds a stalled body hangs (default 30).
    public static let stallSeconds = "X-Fal-Emulator-Stall-Seconds"
    /// Names the scenario whose attempts are counted (default: method and path).
    public static let scenario = "X-Fal-Emulator-Scenario"

    static func field(_ name: String) -> HTTPField.Name { HTTPField.Name(name)! }

    /// The emulator-wide controls with this request's header overrides applied, every value within bounds.
    static func resolve(_ base: EmulatorControls, headers: HTTPFields) -> EmulatorControls {
        var controls = base
        if let value = headers[field(latency)].flatMap({ Int($0) }) { controls.latencyMilliseconds = value }
        if let value = headers[field(queueDepth)].flatMap({ Int($0) }) { controls.queueDepth = value }
        if let value = headers[field(queueStep)].flatMap({ Int($0) }) { controls.queueStepMilliseconds = value }
        if let injection = failure(headers) { controls.failure = injection }
        return controls.bounded()
    }

    /// The failure this request's headers ask for, if any.
    static func failure(_ headers: HTTPFields) -> FailureInjection? {
        guard let raw = headers[field(failure)], let mode = FailureInjection.Mode(rawValue: raw.lowercased()) else { return nil }
        var injection = FailureInjection(mode: mode)
        injection.times = headers[field(failureTimes)].flatMap { Int($0) }
        if let seconds = headers[field(stallSeconds)].flatMap({ Double($0) }) { injection.stallSeconds = seconds }
        return injection
    }
}
