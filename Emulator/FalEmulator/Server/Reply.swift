import FalCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Responses in fal's shapes: JSON bodies, `{"detail": …}` errors, 422 validation lists, nginx pages.
enum Reply {
    static let requestIDHeader = HTTPField.Name("x-fal-request-id")!
    static let errorTypeHeader = HTTPField.Name("x-fal-error-type")!

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, requestID: String? = nil, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        if let requestID { headers[requestIDHeader] = requestID }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONCoding.data(value))))
    }

    /// fal's error body: `{"detail": "…"}`, with `x-fal-error-type` when known.
    static func detail(_ message: String, status: HTTPResponse.Status, requestID: String? = nil, errorType: String? = nil) -> Response {
        var headers = HTTPFields()
        if let errorType { headers[errorTypeHeader] = errorType }
        return json(.object(["detail": .string(message)]), status: status, requestID: requestID, headers: headers)
    }

    /// 422 with fal's (FastAPI's) body: `{"detail": [{"loc": ["body", …], "msg": …, "type": …}]}`.
    static func validation(_ issues: [ValidationIssue], requestID: String? = nil) -> Response {
        json(validationBody(issues), status: .unprocessableContent, requestID: requestID)
    }

    static func validationBody(_ issues: [ValidationIssue]) -> JSONValue {
        .object(["detail": .array(issues.map { issue in
            .object([
                "loc": .array([.string("body")] + location(issue.path)),
                "msg": .string(issue.message),
                "type": .string(errorType(issue.message)),
            ])
        })])
    }

    /// `image_size.width` → `["image_size", "width"]`; `loras[0].scale` → `["loras", 0, "scale"]`.
    static func location(_ path: FieldPath) -> [JSONValue] {
        var components: [JSONValue] = []
        var name = ""
        var index: String?
        for character in path.description {
            switch character {
            case "." where index == nil:
                if !name.isEmpty { components.append(.string(name)) }
                name = ""
            case "[" where index == nil:
                if !name.isEmpty { components.append(.string(name)) }
                name = ""
                index = ""
            case "]" where index != nil:
                components.append(Int(index!).map(JSONValue.int) ?? .string(index!))
                index = nil
            default:
                if index != nil { index!.append(character) } else { name.append(character) }
            }
        }
        if !name.isEmpty { components.append(.string(name)) }
        return components
    }

    /// Pydantic v2's error type names for the rule each `Rule` message states.
    static func errorType(_ message: String) -> String {
        let table: [(String, String)] = [
            ("is required", "missing"), ("is not one of", "enum"), ("is not the constant", "literal_error"),
            ("exceeds maximum length", "string_too_long"), ("shorter than minimum length", "string_too_short"),
            ("exceeds maximum", "less_than_equal"), ("is less than minimum", "greater_than_equal"),
            ("must be greater than", "greater_than"), ("must be less than", "less_than"),
            ("is not a multiple of", "multiple_of"), ("does not match pattern", "string_pattern_mismatch"),
            ("fewer than minimum", "too_short"), ("more than maximum", "too_long"), ("expected ", "type_error"),
            ("is not an allowed property", "extra_forbidden"),
        ]
        return table.first { message.contains($0.0) }?.1 ?? "value_error"
    }

    /// What an nginx ingress answers when the backend is unavailable: HTML, no `x-fal-request-id`.
    static func ingressUnavailable() -> Response {
        let html = """
            <html>\r
            <head><title>503 Service Temporarily Unavailable</title></head>\r
            <body>\r
            <center><h1>503 Service Temporarily Unavailable</h1></center>\r
            <hr><center>nginx</center>\r
            </body>\r
            </html>\r

            """
        return Response(
            status: .serviceUnavailable, headers: [.contentType: "text/html", .server: "nginx"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func bytes(_ data: Data, contentType: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Server-sent events: `produce` writes events (`sendEvent`) and returns when the stream ends.
    static func eventStream(requestID: String?, _ produce: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Response {
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        if let requestID { headers[requestIDHeader] = requestID }
        return Response(status: .ok, headers: headers, body: .init { writer in
            try await produce(&writer)
            try await writer.finish(nil)
        })
    }
}

extension ResponseBodyWriter {
    /// One SSE event whose `data:` line is the JSON value.
    mutating func sendEvent(_ value: JSONValue) async throws {
        try await write(ByteBuffer(string: "data: \(JSONCoding.string(value))\n\n"))
    }

    /// An SSE comment line: keeps idle connections open through proxies.
    mutating func sendKeepAlive() async throws {
        try await write(ByteBuffer(string: ": keep-alive\n\n"))
    }
}
