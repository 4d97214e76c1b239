import FalCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// queue.fal.run: submit, status, status stream, result and cancel.
struct QueueRoutes: Sendable {
    let state: EmulatorState

    static let webhookQuery = "fal_webhook"
    static let timeoutHeader = HTTPField.Name("X-Fal-Request-Timeout")!

    func submit(_ request: Request, app: AppPath, controls: EmulatorControls, injectError: Bool) async -> Response {
        guard let endpoint = state.catalog.endpoint(app.endpointID) else { return Self.unknownEndpoint(app.endpointID, state) }
        let body: JSONBody
        switch await BodyReader.jsonObject(request, limit: state.configuration.maxJSONBodyBytes) {
        case .success(let parsed): body = parsed
        case .failure(let error): return error.response
        }
        let input = body.value
        let issues = endpoint.issues(in: input)
        let id = Identifiers.requestID()
        let job = QueueJob(
            id: id, app: app.app, endpointID: endpoint.id, input: input, inputBytes: body.size, controls: controls,
            outcome: !issues.isEmpty ? .invalidInput(issues) : injectError ? .injectedError : .success,
            webhookURL: request.uri.queryParameters[Self.webhookQuery[...]].map(String.init),
            startTimeout: Self.startTimeout(request.headers),
            submittedAt: .now, submittedDate: Date(), cancelledAt: nil)
        state.jobs.insert(job)
        if let webhook = job.webhookURL {
            let state = self.state
            // Captures the id only: a waiting delivery must not keep the job (and its input) alive.
            state.webhooks.schedule(requestID: id, url: webhook, after: job.totalDuration) {
                guard let current = state.jobs.job(id) else { return WebhookDispatcher.evictedPayload(requestID: id) }
                return WebhookDispatcher.payload(requestID: id, result: state.outcome(of: current))
            }
        }
        var answer = urls(for: job)
        answer["status"] = "IN_QUEUE"
        answer["queue_position"] = .int(max(0, controls.queueDepth - 1))
        answer["gateway_request_id"] = .string(id)
        return Reply.json(.object(answer), requestID: id)
    }

    func status(_ request: Request, app: AppPath, requestID: String) -> Response {
        guard let job = job(requestID, app: app) else { return Self.notFound(requestID) }
        return Reply.json(statusBody(job, at: .now, withLogs: Self.wantsLogs(request)), requestID: requestID)
    }

    /// Server-sent status events until `COMPLETED` (sent last), with a keep-alive comment every 15 s.
    func statusStream(_ request: Request, app: AppPath, requestID: String) -> Response {
        guard let first = job(requestID, app: app) else { return Self.notFound(requestID) }
        let withLogs = Self.wantsLogs(request)
        return Reply.eventStream(requestID: requestID) { [state] writer in
            var last: JSONValue?
            var lastWrite = ContinuousClock.now
            var job = first
            while true {
                let now = ContinuousClock.now
                let body = QueueRoutes(state: state).statusBody(job, at: now, withLogs: withLogs)
                if body != last {
                    try await writer.sendEvent(body)
                    last = body
                    lastWrite = now
                } else if now - lastWrite > .seconds(15) {
                    try await writer.sendKeepAlive()
                    lastWrite = now
                }
                if body["status"] == "COMPLETED" { return }
                try await state.wait(.milliseconds(25))
                // A job evicted mid-stream ends the stream; its last state was already sent.
                guard let current = state.jobs.job(requestID) else { return }
                job = current
            }
        }
    }

    func result(app: AppPath, requestID: String) -> Response {
        guard let job = job(requestID, app: app) else { return Self.notFound(requestID) }
        let phase = job.phase(at: .now)
        guard phase == .completed || phase == .cancelled else {
            return Reply.detail("Request is still in progress", status: .badRequest, requestID: requestID)
        }
        switch state.outcome(of: job) {
        case .success(let output):
            return Reply.json(output, requestID: requestID)
        case .failure(let failure):
            var headers = HTTPFields()
            headers[Reply.errorTypeHeader] = Self.errorType(of: job)
            if job.timesOutBeforeStart { headers[HTTPField.Name("X-Fal-Request-Timeout-Type")!] = "user" }
            return Reply.json(failure.body, status: .init(code: failure.status), requestID: requestID, headers: headers)
        }
    }

    func cancel(app: AppPath, requestID: String) -> Response {
        guard self.job(requestID, app: app) != nil, let phase = state.jobs.cancel(requestID, at: .now) else {
            return Self.notFound(requestID)
        }
        switch phase {
        case .completed, .cancelled:
            return Reply.json(["status": "ALREADY_COMPLETED"], status: .badRequest, requestID: requestID)
        case .inQueue, .inProgress:
            return Reply.json(["status": "CANCELLATION_REQUESTED"], status: .accepted, requestID: requestID)
        }
    }

    // MARK: Bodies

    func urls(for job: QueueJob) -> [String: JSONValue] {
        let responseURL = "\(state.queueBase)/\(job.app)/requests/\(job.id)"
        return [
            "request_id": .string(job.id),
            "response_url": .string(responseURL),
            "status_url": .string(responseURL + "/status"),
            "cancel_url": .string(responseURL + "/cancel"),
        ]
    }

    /// fal's status object. `logs` is always present once running (null unless requested), as fal's clients
    /// read it unconditionally; `COMPLETED` adds `metrics` and, for failures, `error` and `error_type`.
    func statusBody(_ job: QueueJob, at now: ContinuousClock.Instant, withLogs: Bool) -> JSONValue {
        var body = urls(for: job)
        let logs: JSONValue = withLogs ? .array(job.logs(at: now)) : .null
        switch job.phase(at: now) {
        case .inQueue(let position):
            body["status"] = "IN_QUEUE"
            body["queue_position"] = .int(position)
        case .inProgress:
            body["status"] = "IN_PROGRESS"
            body["logs"] = logs
        case .completed, .cancelled:
            body["status"] = "COMPLETED"
            body["logs"] = logs
            body["metrics"] = .object(["inference_time": .double(Double(job.controls.latencyMilliseconds) / 1000)])
            if case .failure(let failure) = state.outcome(of: job) {
                body["error"] = .string(Self.errorMessage(failure.body))
                body["error_type"] = .string(Self.errorType(of: job))
            }
        }
        return .object(body)
    }

    static func errorMessage(_ body: JSONValue) -> String {
        if let text = body["detail"]?.stringValue { return text }
        if let items = body["detail"]?.arrayValue {
            return items.compactMap { $0["msg"]?.stringValue }.joined(separator: "; ")
        }
        return "Request failed"
    }

    static func errorType(of job: QueueJob) -> String {
        if job.cancelledAt != nil { return "request_cancelled" }
        if job.timesOutBeforeStart { return "request_timeout" }
        switch job.outcome {
        case .invalidInput: return "validation_error"
        case .injectedError: return EmulatorState.injectedErrorType
        case .success: return "internal_error"
        }
    }

    // MARK: Helpers

    /// The job, if it exists and belongs to the app in the URL (fal keys queue URLs by owner/alias; a URL
    /// that also carries a subpath must name the job's own endpoint).
    private func job(_ id: String, app: AppPath) -> QueueJob? {
        guard let job = state.jobs.job(id), job.app == app.app else { return nil }
        if !app.queueSubpath.isEmpty, job.endpointID != app.queueEndpointID { return nil }
        return job
    }

    static func wantsLogs(_ request: Request) -> Bool {
        guard let value = request.uri.queryParameters["logs"] else { return false }
        return ["1", "true", "True", "yes"].contains(String(value))
    }

    static func startTimeout(_ headers: HTTPFields) -> Duration? {
        guard let seconds = headers[timeoutHeader].flatMap(Double.init), seconds.isFinite, seconds > 0 else { return nil }
        return .seconds(clamping: seconds, maximum: 86_400)
    }

    static func notFound(_ requestID: String) -> Response {
        Reply.detail("Request \(requestID) not found", status: .notFound)
    }

    static func unknownEndpoint(_ id: String, _ state: EmulatorState) -> Response {
        Reply.detail("Endpoint '\(id)' is not served by this emulator (loaded: \(state.catalog.ids.joined(separator: ", ")))", status: .notFound, errorType: "not_found")
    }
}
