/// Where a queued request is, as `GET …/requests/{id}/status` and the status stream report it.
public enum QueueStatus: Sendable, Equatable {
    /// Waiting; `position` is 0-based.
    case inQueue(position: Int)
    case inProgress(logs: [RequestLog])
    /// Done. `error` is set when the request failed; the result then holds the error detail.
    case completed(logs: [RequestLog], metrics: [String: JSONValue], error: String?, errorType: String?)

    public var isCompleted: Bool {
        if case .completed = self { return true }
        return false
    }

    public var logs: [RequestLog] {
        switch self {
        case .inQueue: return []
        case .inProgress(let logs), .completed(let logs, _, _, _): return logs
        }
    }

    /// Parses fal's status JSON; unknown statuses are a decoding error naming the value.
    init(json: JSONValue) throws(FalError) {
        let logs = (json["logs"]?.arrayValue ?? []).map(RequestLog.init(json:))
        switch json["status"]?.stringValue {
        case "IN_QUEUE":
            self = .inQueue(position: json["queue_position"].flatMap(\.number).map { Int($0) } ?? 0)
        case "IN_PROGRESS":
            self = .inProgress(logs: logs)
        case "COMPLETED":
            self = .completed(
                logs: logs, metrics: json["metrics"]?.objectValue ?? [:],
                error: json["error"]?.stringValue, errorType: json["error_type"]?.stringValue)
        case let other:
            throw FalError.decoding(path: "status", message: "unknown queue status \(other.map { "'\($0)'" } ?? "(missing)")")
        }
    }
}

/// One log line of a running request.
public struct RequestLog: Sendable, Equatable {
    public var message: String
    public var level: String?
    public var source: String?
    public var timestamp: String?

    public init(message: String, level: String? = nil, source: String? = nil, timestamp: String? = nil) {
        self.message = message
        self.level = level
        self.source = source
        self.timestamp = timestamp
    }

    init(json: JSONValue) {
        self.init(
            message: json["message"]?.stringValue ?? "", level: json["level"]?.stringValue,
            source: json["source"]?.stringValue, timestamp: json["timestamp"]?.stringValue)
    }
}

/// What submit answers: the request's id and where to follow it.
public struct QueueSubmission: Sendable, Equatable, Decodable {
    public var requestID: String
    public var responseURL: String?
    public var statusURL: String?
    public var cancelURL: String?
    public var queuePosition: Int?

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", responseURL = "response_url", statusURL = "status_url"
        case cancelURL = "cancel_url", queuePosition = "queue_position"
    }
}
