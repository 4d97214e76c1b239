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
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])
    /// Deliveries waiting or retrying at once; beyond it new ones are refused (and recorded as such).
    private let maxPending = 10_000

    init(signer: WebhookSigner, userID: String, policy: WebhookRetryPolicy) {
        self.signer = signer
        self.userID = userID
        self.policy = policy
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

    /// Waits `delay`, then delivers `body()`'s payload to `url`, retrying on failure. Runs detached.
    func schedule(requestID: String, url: String, after delay: Duration, body: @escaping @Sendable () -> JSONValue) {
        if tasks.withLock({ $0.count }) >= maxPending {
            record(Attempt(requestID: requestID, url: url, attempt: 0, status: nil, error: "too many pending webhook deliveries; not scheduled"))
            return
        }
        let task = Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled, let self else { return }
            await self.deliver(requestID: requestID, url: url, body: JSONCoding.data(body()))
            _ = self.tasks.withLock { $0.removeValue(forKey: requestID) }
        }
        tasks.withLock { $0[requestID] = task }
    }

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
                let (_, response) = try await session.data(for: request)
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
        let pending = tasks.withLock { tasks in
            defer { tasks.removeAll() }
            return Array(tasks.values)
        }
        for task in pending { task.cancel() }
        session.invalidateAndCancel()
    }
}
