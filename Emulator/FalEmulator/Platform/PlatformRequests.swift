import FalCore
import Foundation
import Hummingbird

/// `GET /v1/models/requests/by-endpoint`, `/requests/search` and `DELETE /v1/models/requests/{id}/payloads`, over the
/// emulator's jobs and stored files.
struct PlatformRequests: Sendable {
    let state: EmulatorState

    /// A job as fal's request item; `payloads` adds `json_input` and `json_output` (absent once deleted).
    private func item(_ job: QueueJob, payloads: Bool, now: ContinuousClock.Instant) -> [String: JSONValue] {
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let finished = job.phase(at: now) == .completed || job.phase(at: now) == .cancelled
        let duration = job.totalDuration.inSeconds
        var item: [String: JSONValue] = [
            "request_id": .string(job.id), "endpoint_id": .string(job.endpointID),
            "sent_at": .string(format.format(job.submittedDate)),
            "started_at": .string(format.format(job.submittedDate.addingTimeInterval(job.queueDuration.inSeconds))),
            "ended_at": finished ? .string(format.format(job.submittedDate.addingTimeInterval(duration))) : .null,
            "status_code": finished ? .int(PlatformUsage.statusCode(job)) : .null,
            "duration": finished ? .double(duration) : .null,
        ]
        if payloads, !job.payloadsDeleted {
            item["json_input"] = job.input
            item["json_output"] = finished ? (try? state.outcome(of: job).get()) ?? .null : .null
        }
        return item
    }

    func byEndpoint(_ parameters: PlatformParameters) throws(PlatformInvalid) -> Response {
        let ids = Set(try parameters.list("endpoint_id", required: true))
        let limit = try parameters.integer("limit", minimum: 1, maximum: 100, default: 50)
        let page = try parameters.page()
        let status = try parameters.string("status", allowed: ["success", "error", "user_error"])
        let requestID = try parameters.string("request_id")
        let payloads = try parameters.list("expand", allowed: ["payloads"]).contains("payloads")
        let sortBy = try parameters.string("sort_by", allowed: ["ended_at", "duration"]) ?? "ended_at"
        let end = try parameters.date("end")
        let start = try parameters.date("start")
        let now = ContinuousClock.now
        var jobs = state.jobs.all.filter { job in
            guard ids.contains(job.endpointID), requestID.map({ $0 == job.id }) ?? true else { return false }
            if let start, job.submittedDate < start { return false }
            if let end, job.submittedDate >= end { return false }
            guard let status else { return true }
            let code = PlatformUsage.statusCode(job)
            switch status {
            case "success": return job.phase(at: now) == .completed && code == 200
            case "user_error": return (400..<500).contains(code)
            default: return code >= 500
            }
        }
        jobs.sort { sortBy == "duration" ? $0.totalDuration > $1.totalDuration : $0.submittedDate > $1.submittedDate }
        let (slice, next) = PlatformParameters.paged(jobs, page: page, limit: limit)
        return Reply.json([
            "items": .array(slice.map { .object(item($0, payloads: payloads, now: now)) }), "next_cursor": next, "has_more": .bool(next != .null),
        ])
    }

    /// Text search over the requests' inputs (a substring, case-insensitive; similarity 1), newest first.
    func search(_ parameters: PlatformParameters) throws(PlatformInvalid) -> Response {
        let text = try parameters.string("query")
        let image = try parameters.string("image_url")
        let video = try parameters.string("video_url")
        guard [text, image, video].compactMap({ $0 }).count <= 1 else { throw PlatformInvalid("query, image_url and video_url are mutually exclusive") }
        let excludeAPI = try parameters.boolean("exclude_api_requests"), onlyAPI = try parameters.boolean("only_api_requests")
        if excludeAPI == true, onlyAPI == true {
            throw PlatformInvalid("exclude_api_requests and only_api_requests are mutually exclusive")
        }
        if let similarity = try parameters.string("min_similarity") {
            guard let value = Double(similarity), (0...1).contains(value) else { throw PlatformInvalid("min_similarity: must be a number from 0 to 1") }
        }
        var ids = Set(try parameters.list("endpoint_id"))
        if ids.isEmpty, let single = try parameters.string("endpoint") { ids = [single] }
        let limit = try parameters.integer("limit", minimum: 1, maximum: 100, default: 50)
        let page = try parameters.page()
        let needle = (text ?? image ?? video)?.lowercased()
        let now = ContinuousClock.now
        let jobs = state.jobs.all.reversed().filter { job in
            guard ids.isEmpty || ids.contains(job.endpointID) else { return false }
            guard let needle else { return true }
            return !job.payloadsDeleted && JSONCoding.string(job.input).lowercased().contains(needle)
        }
        let (slice, next) = PlatformParameters.paged(Array(jobs), page: page, limit: limit)
        let results: [JSONValue] = slice.map { job in
            var result = item(job, payloads: true, now: now)
            if needle != nil { result["similarity"] = 1 }
            return .object(result)
        }
        return Reply.json(["results": .array(results), "next_cursor": next, "has_more": .bool(next != .null)])
    }

    /// Forgets the request's input and output and deletes the emulator's stored files they name (uploads under
    /// `/cdn/files/…`). Generated outputs are rendered on demand and never stored: listed with `exception` saying so.
    func deletePayloads(_ requestID: String) -> Response {
        guard let job = state.jobs.job(requestID) else { return PlatformReply.notFound("Request \(requestID) not found") }
        let finished = [.completed, .cancelled].contains(job.phase(at: .now))
        let output = job.payloadsDeleted || !finished ? nil : state.jobs.cachedResult(requestID) ?? (try? state.outcome(of: job).get())
        let links = job.payloadsDeleted ? [] : (Self.urls(in: job.input) + (output.map(Self.urls) ?? []))
        _ = state.jobs.deletePayloads(requestID)
        let prefix = state.cdnBase + "/files/"
        var results: [JSONValue] = []
        for link in NSOrderedSet(array: links).array.compactMap({ $0 as? String }) where link.hasPrefix(prefix) {
            let key = String(link.dropFirst(prefix.count))
            let exception: JSONValue
            if key.hasPrefix("generated/") {
                exception = "generated on demand by the emulator: nothing was stored"
            } else {
                exception = state.files.delete(key) ? .null : "file not found (already deleted or evicted)"
            }
            results.append(["link": .string(link), "exception": exception])
        }
        return Reply.json(["cdn_delete_results": .array(results)])
    }

    /// Every string in `value` that looks like a URL.
    static func urls(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text): return text.hasPrefix("http://") || text.hasPrefix("https://") ? [text] : []
        case .array(let items): return items.flatMap(urls)
        case .object(let members): return members.keys.sorted().flatMap { urls(in: members[$0]!) }
        default: return []
        }
    }
}
