import FalCore
import Foundation
import HTTPTypes
import Hummingbird

/// The Platform API's error body: `{"error": {"type", "message", "docs_url", "request_id"}}`, fal's status for each type.
enum PlatformReply {
    static let docsURL = "https://fal.ai/docs/api-reference/platform-apis"

    static func error(_ type: String, _ message: String, status: HTTPResponse.Status) -> Response {
        let requestID = Identifiers.requestID()
        return Reply.json(
            .object(["error": .object([
                "type": .string(type), "message": .string(message), "docs_url": .string(docsURL), "request_id": .string(requestID),
            ])]),
            status: status, requestID: requestID)
    }

    /// 400 `validation_error` naming the parameter and the rule.
    static func invalid(_ message: String) -> Response { error("validation_error", message, status: .badRequest) }

    static func notFound(_ message: String) -> Response { error("not_found", message, status: .notFound) }

    static func unauthorized() -> Response {
        error("authorization_error", "Authentication required: send `Authorization: Key <FAL_KEY>`", status: .unauthorized)
    }
}

/// A parameter broke a documented rule: answered as 400 `validation_error`.
struct PlatformInvalid: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Reads and checks a Platform API request's query parameters as fal documents them.
struct PlatformParameters {
    /// The query's name-value pairs (percent-decoded), repeated names kept in order.
    let pairs: [(name: String, value: String)]

    init(_ request: Request) { pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) } }

    private func first(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// Every value of an array parameter, repeated (`?a=1&a=2`) or comma-separated (`?a=1,2`); 1-50 values.
    func list(_ name: String, required: Bool = false, allowed: Set<String>? = nil) throws(PlatformInvalid) -> [String] {
        let values = pairs.filter { $0.name == name }.flatMap { $0.value.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if values.contains(where: \.isEmpty) { throw PlatformInvalid("\(name): values must not be empty") }
        if required, values.isEmpty { throw PlatformInvalid("\(name) is required (1-50 values)") }
        if values.count > 50 { throw PlatformInvalid("\(name): \(values.count) values, at most 50 are accepted") }
        if let allowed, let bad = values.first(where: { !allowed.contains($0) }) {
            throw PlatformInvalid("\(name): \(bad.debugDescription) is not one of \(allowed.sorted().joined(separator: ", "))")
        }
        return values
    }

    func string(_ name: String, allowed: [String]? = nil) throws(PlatformInvalid) -> String? {
        guard let value = first(name) else { return nil }
        if let allowed, !allowed.contains(value) {
            throw PlatformInvalid("\(name): \(value.debugDescription) is not one of \(allowed.joined(separator: ", "))")
        }
        return value
    }

    func integer(_ name: String, minimum: Int, maximum: Int, default fallback: Int) throws(PlatformInvalid) -> Int {
        guard let text = first(name) else { return fallback }
        guard let value = Int(text) else { throw PlatformInvalid("\(name): \(String(text).debugDescription) is not an integer") }
        guard value >= minimum else { throw PlatformInvalid("\(name): \(value) is less than minimum \(minimum)") }
        guard value <= maximum else { throw PlatformInvalid("\(name): \(value) exceeds maximum \(maximum)") }
        return value
    }

    func boolean(_ name: String) throws(PlatformInvalid) -> Bool? {
        guard let text = first(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw PlatformInvalid("\(name): \(String(text).debugDescription) is not true or false")
        }
    }

    /// fal's cursor: base64 of the page number ("Mg==" is page 2); absent means page 1.
    func page() throws(PlatformInvalid) -> Int {
        guard let cursor = first("cursor") else { return 1 }
        guard let data = Data(base64Encoded: String(cursor)), let page = Int(String(decoding: data, as: UTF8.self)), page >= 1, page <= 1_000_000 else {
            throw PlatformInvalid("cursor: \(String(cursor).debugDescription) is not a cursor this API returned")
        }
        return page
    }

    static func cursor(page: Int) -> String { Data(String(page).utf8).base64EncodedString() }

    /// `start`/`end`: ISO 8601 date-time or `YYYY-MM-DD` (UTC).
    func date(_ name: String) throws(PlatformInvalid) -> Date? {
        guard let text = first(name) else { return nil }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if text.count == 10, let date = try? Date(text + "T00:00:00Z", strategy: Date.ISO8601FormatStyle()) { return date }
        throw PlatformInvalid("\(name): \(text.debugDescription) is not an ISO 8601 date-time or YYYY-MM-DD")
    }

    /// One page of `items` (`limit` per page) and the cursor of the next, fal's paging.
    static func paged<T>(_ items: [T], page: Int, limit: Int) -> (items: [T], next: JSONValue) {
        let start = min((page - 1).multipliedReportingOverflow(by: limit).overflow ? items.count : (page - 1) * limit, items.count)
        let end = min(start + limit, items.count)
        return (Array(items[start..<end]), end < items.count ? .string(cursor(page: page + 1)) : .null)
    }
}
