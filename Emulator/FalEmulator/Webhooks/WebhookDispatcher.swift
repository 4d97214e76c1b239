import FalCore
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Delivers completion webhooks: POSTs fal's payload, signed, retrying failures per `WebhookRetryPolicy`.
/// Every attempt is recorded (`GET /_emulator/webhooks`) so tests can check delivery and retries.
final class WebhookDispatcher: Sendable {
    struct Attempt: Sendable, Hashable {
        var requestID: String
        var url: String
        var attempt: Int
        /// HTTP status the receiver answered, or nil when the connection failed.
        var status: Int?
        var error: String?
    }

    private let signer: WebhookSigner
    private let userID: String
    private let policy: WebhookRetryPolicy
    private let session: URLSession
    private let attempts = Mutex(Ring<Attempt>(capacity: 10_000))
    /// Deliveries waiting or retrying, and the bytes each holds (`costs`, summed in `bytes`).
    private struct Pending {
        var tasks: [String: Task<Void, Never>] = [:]
        var costs: [String: Int] = [:]
        var bytes = 0
    }
    private let pending = Mutex(Pending())
    /// Bytes that deliveries waiting or retrying may hold in all (their bodies and bookkeeping); beyond it a
    /// new delivery is refused and recorded as such. A waiting delivery holds no request data: it looks its
    /// job up when it fires.
    let maxPendingBytes: Int
    /// What a waiting delivery costs before it has a body: its task, URL and request id.
    static let waitingCost = 1_024

    init(signer: WebhookSigner, userID: String, policy: WebhookRetryPolicy, maxPendingBytes: Int = 64 << 20) {
        self.signer = signer
        self.userID = userID
        self.policy = policy
        self.maxPendingBytes = max(1, maxPendingBytes)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = Double(policy.timeout.components.seconds) + 1
        session = URLSession(configuration: configuration)
    }

    /// fal's webhook body: `{request_id, gateway_request_id, status: "OK"|"ERROR", payload, error?}`.
    static func payload(requestID: String, result: Result<JSONValue, DeliveryError>) -> JSONValue {
        var body: [String: JSONValue] = ["request_id": .string(requestID), "gateway_request_id": .string(requestID)]
        switch result {
        case .success(let output):
            body["status"] = "OK"
            body["payload"] = output
        case .failure(let failure):
            body["status"] = "ERROR"
            body["error"] = .string("Invalid status code: \(failure.status)")
            body["payload"] = failure.body
        }
        return .object(body)
    }

    struct DeliveryError: Error, Sendable {
        var status: Int
        var body: JSONValue
    }

    /// The payload for a request that was evicted from the emulator's store before its webhook fired.
    static func evictedPayload(requestID: String) -> JSONValue {
        payload(requestID: requestID, result: .failure(DeliveryError(
            status: 410, body: .object(["detail": .string("Request \(requestID) was evicted from the emulator's store before it completed")]))))
    }

    /// Waits `delay`, then delivers `body()`'s payload to `url`, retrying on failure. Runs detached.
    /// `body` is called when the delivery fires, so nothing of the request is held while it waits.
    func schedule(requestID: String, url: String, after delay: Duration, body: @escaping @Sendable () -> JSONValue) {
        let cost = Self.waitingCost + url.utf8.count + requestID.utf8.count
        guard reserve(cost, for: requestID) else {
            record(Attempt(requestID: requestID, url: url, attempt: 0, status: nil, error: "pending webhook deliveries exceed \(maxPendingBytes) bytes; not scheduled"))
            return
        }
        let task = Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard let self else { return }
            defer { self.release(requestID) }
            guard !Task.isCancelled else { return }
            let data = JSONCoding.data(body())
            guard self.reserve(data.count, for: requestID) else {
                self.record(Attempt(requestID: requestID, url: url, attempt: 0, status: nil, error: "pending webhook deliveries exceed \(self.maxPendingBytes) bytes; not delivered"))
                return
            }
            await self.deliver(requestID: requestID, url: url, body: data)
        }
        pending.withLock { pending in
            // The task may already have finished (and released) if the delay was zero.
            if pending.costs[requestID] != nil { pending.tasks[requestID] = task }
        }
    }

    /// Adds `bytes` to what `requestID` holds, if the total stays within `maxPendingBytes`.
    private func reserve(_ bytes: Int, for requestID: String) -> Bool {
        pending.withLock { pending in
            guard pending.bytes + bytes <= maxPendingBytes else { return false }
            pending.bytes += bytes
            pending.costs[requestID, default: 0] += bytes
            return true
        }
    }

    private func release(_ requestID: String) {
        pending.withLock { pending in
            pending.bytes -= pending.costs.removeValue(forKey: requestID) ?? 0
            pending.tasks[requestID] = nil
        }
    }

    /// Bytes held by deliveries waiting or retrying.
    var pendingBytes: Int { pending.withLock { $0.bytes } }

    private func deliver(requestID: String, url: String, body: Data) async {
        guard let target = URL(string: url), target.scheme == "http" || target.scheme == "https" else {
            record(Attempt(requestID: requestID, url: url, attempt: 1, status: nil, error: "not an http(s) URL"))
            return
        }
        for attempt in 1...policy.maxAttempts {
            if Task.isCancelled { return }
            var request = URLRequest(url: target)
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.timeoutInterval = Double(policy.timeout.components.seconds)
            do {
                for (name, value) in try signer.headers(requestID: requestID, userID: userID, body: body) {
                    request.setValue(value, forHTTPHeaderField: name)
                }
                let response = try await post(request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                record(Attempt(requestID: requestID, url: url, attempt: attempt, status: status, error: nil))
                if (200..<300).contains(status) { return }
            } catch {
                record(Attempt(requestID: requestID, url: url, attempt: attempt, status: nil, error: "\(error.localizedDescription)"))
            }
            if attempt < policy.maxAttempts {
                try? await Task.sleep(for: policy.delay(afterAttempt: attempt))
            }
        }
    }

    /// One POST, its response. Not `URLSession.data(for:)`: on Linux its cancellation handler cancels the
    /// data task synchronously while the Swift task's status lock is held, and a completion arriving at that
    /// moment waits for that lock on the session's queue, which the cancel waits for: `stop()` (cancelAll)
    /// hung for good (seen under ASan; a loop of cancelled `data(for:)` calls hangs within 20 iterations).
    /// Cancelling the data task from elsewhere instead crashes FoundationNetworking when the task has just
    /// completed. So a delivery in flight is not cancelled with its Swift task: it ends within the policy's
    /// timeout, or at once when `cancelAll` invalidates the session.
    private func post(_ request: URLRequest) async throws -> URLResponse {
        try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { _, response, error in
                if let response, error == nil {
                    continuation.resume(returning: response)
                } else {
                    continuation.resume(throwing: error ?? URLError(.badServerResponse))
                }
            }.resume()
        }
    }

    private func record(_ attempt: Attempt) {
        attempts.withLock { _ = $0.append(attempt) }
    }

    var recorded: [Attempt] { attempts.withLock { $0.elements } }

    var json: JSONValue {
        .object(["attempts": .array(recorded.map { attempt in
            .object([
                "request_id": .string(attempt.requestID), "url": .string(attempt.url), "attempt": .int(attempt.attempt),
                "status": attempt.status.map(JSONValue.int) ?? .null, "error": attempt.error.map(JSONValue.string) ?? .null,
            ])
        })])
    }

    /// Stops pending deliveries (emulator shutdown).
    func cancelAll() {
        let tasks = pending.withLock { pending in
            defer { pending = Pending() }
            return Array(pending.tasks.values)
        }
        for task in tasks { task.cancel() }
        session.invalidateAndCancel()
    }
}
