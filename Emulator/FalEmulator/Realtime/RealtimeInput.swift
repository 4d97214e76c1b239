import FalCore
import Foundation

/// One realtime input, read from a binary frame and checked the way the queue checks a request body: the
/// endpoint's Input schema, with the emulator's one validator (`EmulatedEndpoint.issues`).
struct RealtimeInput: Sendable {
    /// The input as the fabricator and validator read it (MessagePack `bin` values become Base64 strings).
    var value: JSONValue
    /// The client's `request_id` when it sent one (fal's clients may, to match results to inputs), else a new id.
    var requestID: String
    /// `sync_mode: true`: files come back as bytes (`content`) rather than URLs.
    var syncMode: Bool
    /// Frame size, counted against the connection's pending-bytes budget.
    var byteCount: Int

    /// Why a frame was refused: the text frame to answer it with.
    struct Refusal: Error {
        var frame: String
    }

    /// Decodes and validates one binary frame.
    static func read(_ bytes: Data, endpoint: EmulatedEndpoint) -> Result<RealtimeInput, Refusal> {
        let decoded: MessagePackValue
        do {
            decoded = try MessagePackReader().read(bytes)
        } catch {
            return .failure(Refusal(frame: RealtimeFrames.unreadableInput(error.description, type: "msgpack_decode_error")))
        }
        guard case .map = decoded else {
            let message = "expected object, got \(typeName(decoded))"
            return .failure(Refusal(frame: RealtimeFrames.unreadableInput(message, type: "type_error")))
        }
        var value: JSONValue
        do {
            value = try JSONValue(decoded)
        } catch {
            // Map keys that are not strings, extension values: JSON (and so the schema) has no form for them.
            let message = (error as? DecodingError).map(describe) ?? "\(error)"
            return .failure(Refusal(frame: RealtimeFrames.unreadableInput(message, type: "type_error")))
        }
        // fal's schemas default `request_id` to "": an empty one is no id.
        let clientRequestID = value["request_id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        // `request_id` belongs to the protocol; it is part of the input only where the schema says so.
        if !declares(endpoint, property: "request_id"), case .object(var members) = value {
            members["request_id"] = nil
            value = .object(members)
        }
        let issues = endpoint.issues(in: value)
        guard issues.isEmpty else {
            return .failure(Refusal(frame: RealtimeFrames.invalidInput(issues, requestID: clientRequestID)))
        }
        return .success(RealtimeInput(
            value: value, requestID: clientRequestID ?? Identifiers.requestID(), syncMode: value["sync_mode"] == .bool(true),
            byteCount: bytes.count))
    }

    /// Whether the endpoint's Input schema has a property of that name.
    static func declares(_ endpoint: EmulatedEndpoint, property name: String) -> Bool {
        guard let input = endpoint.endpoint.input, case .object(let object) = endpoint.endpoint.resolve(input).kind else { return false }
        return object.property(name) != nil
    }

    /// The JSON Schema type name a MessagePack value would have, for "expected object, got …".
    static func typeName(_ value: MessagePackValue) -> String {
        switch value {
        case .nil: return "null"
        case .bool: return "boolean"
        case .int, .uint: return "integer"
        case .float, .double: return "number"
        case .string: return "string"
        case .binary: return "binary"
        case .array: return "array"
        case .map: return "object"
        case .extension: return "extension"
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? context.debugDescription : "\(path.hasPrefix(".") ? String(path.dropFirst()) : path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
