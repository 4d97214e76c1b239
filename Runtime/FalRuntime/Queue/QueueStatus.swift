import Foundation

/// Where a queued request is, as `GET …/requests/{id}/status` and the status stream report it.
public enum QueueStatus: Sendable, Equatable {
    /// Waiting; `position` is 0-based.
    case inQueue(position: Int)
    /// Running on a runner; `logs` holds its log lines so far when the status was asked with `logs`.
    case inProgress(logs: [RequestLog])
    /// Done. `error` is set when the request failed; the result then holds the error detail.
    case completed(logs: [RequestLog], metrics: [String: JSONValue], error: String?, errorType: String?)

    /// Whether the request has finished, successfully or not.
    public var isCompleted: Bool {
        if case .completed = self { return true }
        return false
    }

    /// The log lines this status carries; none while the request waits in the queue.
    public var logs: [RequestLog] {
        switch self {
        case .inQueue: return []
        case .inProgress(let logs), .completed(let logs, _, _, _): return logs
        }
    }

    /// Decodes fal's status answer straight from the JSON text: it is read for every poll and stream event.
    init(data: Data) throws(FalError) {
        do {
            let object = try JSONTapeObject(data)
            let logs = try (object.value("logs")?.arrayValue ?? []).map(RequestLog.init(json:))
            switch try object.string("status") {
            case "IN_QUEUE": self = .inQueue(position: try object.integer("queue_position") ?? 0)
            case "IN_PROGRESS": self = .inProgress(logs: logs)
            case "COMPLETED":
                self = .completed(
                    logs: logs, metrics: try object.value("metrics")?.objectValue ?? [:],
                    error: try object.string("error"), errorType: try object.string("error_type"))
            case let other:
                throw FalError.decoding(path: "status", message: "unknown queue status \(other.map { "'\($0)'" } ?? "(missing)")")
            }
        } catch {
            throw FalErrorMapping.error(from: error)  // FalErrors pass through unchanged
        }
    }
}

/// One log line of a running request.
public struct RequestLog: Sendable, Equatable {
    /// The text of the line.
    public var message: String
    /// Its severity as fal reports it (`INFO`, `ERROR`, …).
    public var level: String?
    /// Where it came from as fal reports it (e.g. `USER`).
    public var source: String?
    /// When it was written, as fal's ISO 8601 text, unparsed.
    public var timestamp: String?

    /// A log line; every field but `message` is optional, as fal may leave it out.
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
    /// fal's id of the queued request, for `status`, `result` and `cancel`.
    public var requestID: String
    /// fal's URL for this request's result; the client follows it when it lies on the configured queue host.
    public var responseURL: String?
    /// fal's URL for this request's status; the client follows it when it lies on the configured queue host.
    public var statusURL: String?
    /// fal's URL for cancelling this request; the client follows it when it lies on the configured queue host.
    public var cancelURL: String?
    /// The request's place in the queue when submitted (0-based), if fal reported it.
    public var queuePosition: Int?

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", responseURL = "response_url", statusURL = "status_url"
        case cancelURL = "cancel_url", queuePosition = "queue_position"
    }

    /// Decodes submit's answer straight from the JSON text, as `Decodable` reads it.
    init(data: Data) throws(FalError) {
        do {
            let object = try JSONTapeObject(data)
            guard let requestID = try object.string(CodingKeys.requestID.rawValue) else {
                throw FalError.decoding(path: CodingKeys.requestID.rawValue, message: "required key is missing")
            }
            self.requestID = requestID
            responseURL = try object.string(CodingKeys.responseURL.rawValue)
            statusURL = try object.string(CodingKeys.statusURL.rawValue)
            cancelURL = try object.string(CodingKeys.cancelURL.rawValue)
            queuePosition = try object.integer(CodingKeys.queuePosition.rawValue)
        } catch {
            throw FalErrorMapping.error(from: error)  // FalErrors pass through unchanged
        }
    }
}
