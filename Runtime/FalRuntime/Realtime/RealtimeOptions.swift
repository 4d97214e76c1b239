import Foundation

/// Gets a short-lived token for a realtime connection to `app` (`owner/alias/realtime`, the path included),
/// for example from the app's own server, so that the app holds no fal key. fal-js calls this a `tokenProvider`.
public typealias RealtimeTokenProvider = @Sendable (_ app: String) async throws -> String

/// How a realtime connection sends, authenticates and buffers.
public struct RealtimeOptions: Sendable {
    /// The shortest time between two inputs on the wire (128 ms by default, fal-js's). The first input goes at
    /// once; during the interval only the latest input is kept, and the last input of a burst is always sent.
    /// `.zero` sends every input as it comes, waiting only while the socket's send buffer is full.
    public var throttle: Duration
    /// fal's `max_buffering` (1...60): how many inputs fal keeps waiting on its side; nil leaves fal's default.
    public var maxBuffering: Int?
    /// The app's realtime path; nil means `/realtime`, not repeated when the endpoint id already ends with it.
    public var path: String?
    /// Where tokens come from; nil asks fal's token service with the client's key (or through its proxy).
    public var tokenProvider: RealtimeTokenProvider?
    /// The lifetime asked for each token (fal's default: 120 s). Tokens are refreshed at 90 % of it.
    public var tokenLifetime: Duration
    /// Results kept for a consumer that is behind; beyond it the oldest result is dropped (a camera loop wants
    /// the newest frame, not a backlog). Errors are kept in any case.
    public var outputBufferLimit: Int
    /// The largest message accepted from fal (16 MiB by default): a larger one ends the connection.
    public var maximumMessageBytes: Int
    /// The largest file, in bytes, sent inline in an input frame (16 MiB by default).
    public var maximumInlineFileBytes: Int
    /// A PEM file of certificate authorities to trust instead of the system's (a private CA in tests).
    package var caBundlePath: String?

    /// Options with fal-js's defaults for anything not given.
    public init(
        throttle: Duration = .milliseconds(128), maxBuffering: Int? = nil, path: String? = nil,
        tokenProvider: RealtimeTokenProvider? = nil, tokenLifetime: Duration = .seconds(120), outputBufferLimit: Int = 16,
        maximumMessageBytes: Int = 16 << 20, maximumInlineFileBytes: Int = 16 << 20
    ) {
        self.throttle = throttle
        self.maxBuffering = maxBuffering
        self.path = path
        self.tokenProvider = tokenProvider
        self.tokenLifetime = tokenLifetime
        self.outputBufferLimit = outputBufferLimit
        self.maximumMessageBytes = maximumMessageBytes
        self.maximumInlineFileBytes = maximumInlineFileBytes
    }

    /// Refuses what fal would refuse, before any I/O.
    func validate() throws(FalError) {
        if let maxBuffering, !(1...60).contains(maxBuffering) {
            throw FalError.configuration("maxBuffering must be between 1 and 60, not \(maxBuffering)")
        }
        if throttle < .zero { throw FalError.configuration("throttle must not be negative") }
        if tokenLifetime < .seconds(1) { throw FalError.configuration("tokenLifetime must be at least 1 s") }
        if outputBufferLimit < 1 { throw FalError.configuration("outputBufferLimit must be at least 1") }
        if let path, !path.hasPrefix("/") || path.contains("?") || path.contains("#") || path.contains(" ") || path.contains("..") {
            throw FalError.configuration("path must start with / and hold no query, fragment, space or '..': \(path.debugDescription)")
        }
    }
}
