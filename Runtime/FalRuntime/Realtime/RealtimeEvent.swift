import Foundation

/// What one message from a realtime endpoint means: fal sends results as msgpack in binary messages, and
/// control messages as JSON in text messages (either may come as either; both are read the same way).
enum RealtimeEvent<Output: Sendable>: Sendable {
    /// A result, decoded as the endpoint's output.
    case output(Output)
    /// `{"type": "x-fal-message", …}` (timings and the like): nothing for the app.
    case skipped
    /// `{"type": "x-fal-error", "error": "TIMEOUT"}`: fal closes a connection that had no input for a while.
    /// Not a failure: the next input opens a new connection.
    case idleTimeout
    /// `{"status": "error", "error": "Unauthorized"}`: the token was refused; the next connection gets a new one.
    case unauthorized(FalError)
    /// An error fal reported (with its request id when it gave one), or a message that could not be read.
    case failure(FalError)
}

enum RealtimeMessageReader {
    /// Reads one message. Never throws: a message that cannot be read is a `.failure` for the app to see,
    /// and the connection goes on.
    static func event<Output: Sendable>(
        _ message: WebSocketMessage, decode: (MessagePackValue) throws -> Output
    ) -> RealtimeEvent<Output> {
        let value: MessagePackValue
        switch message {
        case .binary(let data):
            // The message is read once and dropped: its image bytes become the output's without a copy.
            do { value = try MessagePackReader().read(sharing: data) } catch {
                return .failure(.decoding(path: "", message: "a realtime result is not valid msgpack: \(error)"))
            }
        case .text(let text):
            do { value = MessagePackValue(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) } catch {
                return .failure(.decoding(path: "", message: "a realtime text message is not JSON: \(String(text.prefix(200)).debugDescription)"))
            }
        }
        if let control = controlEvent(value, as: Output.self) { return control }
        do {
            return .output(try decode(value))
        } catch let error as DecodingError {
            return .failure(FalErrorMapping.decoding(error))
        } catch {
            return .failure(.decoding(path: "", message: "\(error)"))
        }
    }

    /// fal-js's reading of control messages: `type` x-fal-message or x-fal-error, or `status` error.
    private static func controlEvent<Output>(_ value: MessagePackValue, as type: Output.Type) -> RealtimeEvent<Output>? {
        guard case .map = value else { return nil }
        let requestID = value["request_id"]?.stringValue
        switch value["type"]?.stringValue {
        case "x-fal-message":
            return .skipped
        case "x-fal-error":
            let code = value["error"]?.stringValue ?? "UNKNOWN"
            if code == "TIMEOUT" { return .idleTimeout }
            let reason = value["reason"]?.stringValue ?? describe(value["detail"]) ?? ""
            return .failure(.http(status: status(for: code), detail: reason.isEmpty ? code : "\(code): \(reason)",
                                  errorType: code, requestID: requestID))
        default:
            break
        }
        guard value["status"]?.stringValue == "error" else { return nil }
        let detail = value["error"]?.stringValue ?? describe(value["detail"]) ?? "error"
        if detail == "Unauthorized" {
            return .unauthorized(.http(status: 401, detail: "Unauthorized: the realtime token was refused", errorType: "Unauthorized", requestID: requestID))
        }
        return .failure(.http(status: 400, detail: detail, errorType: value["error_type"]?.stringValue, requestID: requestID))
    }

    /// The HTTP status fal's other APIs give for the same error, so `FalError.http` reads the same either way.
    private static func status(for code: String) -> Int {
        switch code {
        case "VALIDATION_ERROR", "INVALID_INPUT": 422
        case "UNAUTHORIZED": 401
        default: 500
        }
    }

    private static func describe(_ value: MessagePackValue?) -> String? {
        guard let value, !value.isNil else { return nil }
        if let text = value.stringValue { return text }
        return String(describing: (try? JSONValue(value)) ?? .null)
    }
}
