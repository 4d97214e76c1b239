import FalCore
import Foundation
import Hummingbird

/// `GET /v1/models/usage`, `/analytics` and `/billing-events`, computed from the emulator's jobs (the queue requests it
/// holds, up to `maxStoredRequests`): each completed request is one billing unit at the pricing table's price.
struct PlatformUsage: Sendable {
    let state: EmulatorState

    /// A finished job as the Platform API reports it.
    struct Record {
        var job: QueueJob
        var date: Date
        var duration: Double
        var statusCode: Int
    }

    /// Jobs completed by now, filtered by `endpoint_id`, `start` (default: 24 h ago) and `end` (exclusive, default now).
    func records(_ parameters: PlatformParameters, endpointsRequired: Bool = false) throws(PlatformInvalid) -> [Record] {
        let ids = Set(try parameters.list("endpoint_id", required: endpointsRequired))
        let end = try parameters.date("end") ?? Date().addingTimeInterval(1)
        let start = try parameters.date("start") ?? end.addingTimeInterval(-86_400)
        guard start < end else { throw PlatformInvalid("start must be before end") }
        let now = ContinuousClock.now
        return state.jobs.all.compactMap { job in
            guard ids.isEmpty || ids.contains(job.endpointID), job.phase(at: now) == .completed || job.phase(at: now) == .cancelled else { return nil }
            let date = job.submittedDate
            guard date >= start, date < end else { return nil }
            return Record(job: job, date: date, duration: job.totalDuration.inSeconds, statusCode: Self.statusCode(job))
        }
    }

    static func statusCode(_ job: QueueJob) -> Int {
        if job.cancelledAt != nil { return 400 }
        if job.timesOutBeforeStart { return 504 }
        switch job.outcome {
        case .success: return 200
        case .invalidInput: return 422
        case .injectedError: return 500
        }
    }

    private static let timeframes = ["minute", "hour", "day", "week", "month"]

    /// The bucket start of `date` for `timeframe`, in UTC.
    private static func bucket(_ date: Date, _ timeframe: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let component: Calendar.Component = ["minute": .minute, "hour": .hour, "week": .weekOfYear, "month": .month][timeframe] ?? .day
        let start = calendar.dateInterval(of: component, for: date)?.start ?? date
        return Date.ISO8601FormatStyle().format(start)
    }

    private func timeframe(_ parameters: PlatformParameters) throws(PlatformInvalid) -> String {
        _ = try parameters.string("timezone")
        _ = try parameters.string("bound_to_timeframe", allowed: ["true", "false"])
        return try parameters.string("timeframe", allowed: Self.timeframes) ?? "day"
    }

    /// Billed records: successful ones, one unit each.
    private func usageLine(_ id: String, _ records: [Record]) -> JSONValue {
        let price = state.configuration.platform.price(id)
        let quantity = Double(records.filter { $0.statusCode == 200 }.count)
        let cost = quantity * price.unitPrice
        return [
            "endpoint_id": .string(id), "unit": .string(price.unit), "quantity": .double(quantity), "unit_price": .double(price.unitPrice),
            "percent_discount": .null, "cost_subtotal": .double(cost), "cost_discount": 0, "cost_total": .double(cost), "cost": .double(cost),
            "currency": .string(price.currency),
        ]
    }

    func usage(_ parameters: PlatformParameters) throws(PlatformInvalid) -> Response {
        _ = try parameters.list("api_key_id")
        _ = try parameters.list("login_username")
        let expand = Set(try parameters.list("expand", allowed: ["time_series", "summary", "auth_method", "auth_method_structured"]))
        let timeframe = try timeframe(parameters)
        let page = try parameters.page()
        let limit = try parameters.integer("limit", minimum: 1, maximum: 1000, default: 50)
        let records = try records(parameters)
        return series(records, expand: expand.isEmpty ? ["time_series"] : expand, timeframe: timeframe, page: page, limit: limit, line: usageLine)
    }

    func analytics(_ parameters: PlatformParameters) throws(PlatformInvalid) -> Response {
        let expand = Set(try parameters.list("expand", allowed: ["time_series", "summary", "request_count", "success_count", "user_error_count", "error_count", "p50_duration", "p90_duration"]))
        let timeframe = try timeframe(parameters)
        let page = try parameters.page()
        let limit = try parameters.integer("limit", minimum: 1, maximum: 1000, default: 50)
        let records = try records(parameters, endpointsRequired: true)
        return series(records, expand: expand.isEmpty ? ["time_series", "request_count"] : expand, timeframe: timeframe, page: page, limit: limit) { id, records in
            let durations = records.map(\.duration).sorted()
            func percentile(_ p: Double) -> JSONValue {
                durations.isEmpty ? 0 : .double(durations[min(durations.count - 1, Int((p * Double(durations.count - 1)).rounded()))])
            }
            return [
                "endpoint_id": .string(id), "request_count": .int(records.count),
                "success_count": .int(records.filter { $0.statusCode == 200 }.count),
                "user_error_count": .int(records.filter { (400..<500).contains($0.statusCode) }.count),
                "error_count": .int(records.filter { $0.statusCode >= 500 }.count),
                "p50_duration": percentile(0.5), "p90_duration": percentile(0.9), "p99_duration": percentile(0.99),
                "total_billable_duration": .double(durations.reduce(0, +)),
            ]
        }
    }

    /// `time_series` (buckets of per-endpoint lines, paged by bucket) and `summary` (one line per endpoint).
    private func series(
        _ records: [Record], expand: Set<String>, timeframe: String, page: Int, limit: Int, line: (String, [Record]) -> JSONValue
    ) -> Response {
        var body: [String: JSONValue] = [:]
        var next: JSONValue = .null
        if expand.contains("time_series") {
            let buckets = Dictionary(grouping: records) { Self.bucket($0.date, timeframe) }
            let keys = buckets.keys.sorted()
            let (slice, cursor) = PlatformParameters.paged(keys, page: page, limit: limit)
            next = cursor
            body["time_series"] = .array(slice.map { key in
                let byEndpoint = Dictionary(grouping: buckets[key] ?? []) { $0.job.endpointID }
                return ["bucket": .string(key), "results": .array(byEndpoint.keys.sorted().map { line($0, byEndpoint[$0] ?? []) })]
            })
        }
        if expand.contains("summary") {
            let byEndpoint = Dictionary(grouping: records) { $0.job.endpointID }
            body["summary"] = .array(byEndpoint.keys.sorted().map { line($0, byEndpoint[$0] ?? []) })
        }
        body["next_cursor"] = next
        body["has_more"] = .bool(next != .null)
        return Reply.json(.object(body))
    }

    /// `GET /v1/models/billing-events`: one event per billed (successful) request, newest first.
    func billingEvents(_ parameters: PlatformParameters) throws(PlatformInvalid) -> Response {
        let requestIDs = Set(try parameters.list("request_id"))
        _ = try parameters.list("api_key_id")
        _ = try parameters.list("login_username")
        _ = try parameters.list("expand", allowed: ["auth_method", "auth_method_structured"])
        let page = try parameters.page()
        let limit = try parameters.integer("limit", minimum: 1, maximum: 1000, default: 50)
        let records = try records(parameters).filter { $0.statusCode == 200 && (requestIDs.isEmpty || requestIDs.contains($0.job.id)) }.reversed()
        let (slice, next) = PlatformParameters.paged(Array(records), page: page, limit: limit)
        let events: [JSONValue] = slice.map { record in
            let price = state.configuration.platform.price(record.job.endpointID)
            return [
                "request_id": .string(record.job.id), "endpoint_id": .string(record.job.endpointID),
                "timestamp": .string(Date.ISO8601FormatStyle().format(record.date)), "output_units": 1, "unit_price": .double(price.unitPrice),
                "percent_discount": .null, "cost_subtotal": .double(price.unitPrice), "cost_discount": 0, "cost_total": .double(price.unitPrice),
                "cost_estimate_nano_usd": .double((price.unitPrice * 1e9).rounded()),
            ]
        }
        return Reply.json(["billing_events": .array(events), "next_cursor": next, "has_more": .bool(next != .null)])
    }
}
