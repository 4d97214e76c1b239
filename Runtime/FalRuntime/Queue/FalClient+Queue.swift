import Foundation
import Logging

/// fal's queue protocol: submit → status (or status stream) → result, and cancel.
extension FalClient {
    /// `POST {queue}/{endpoint id}` with the input as JSON; `webhookURL` becomes the `fal_webhook` query.
    public func submit<Input: Encodable & Validatable>(
        _ endpointID: String, input: Input, webhookURL: String? = nil, options: RequestOptions = RequestOptions()
    ) async throws(FalError) -> QueueSubmission {
        let endpoint = try EndpointPath(endpointID)
        try options.validate()
        let body = try await prepareBody(input)
        return try await submit(endpoint, body: body, webhookURL: webhookURL, options: options)
    }

    func submit(_ endpoint: EndpointPath, body: Data, webhookURL: String?, options: RequestOptions) async throws(FalError) -> QueueSubmission {
        var url = "\(configuration.hosts.queue)/\(endpoint.full)"
        if let webhookURL { url += "?fal_webhook=" + Self.percentEncoded(webhookURL) }
        var request = FalRequest(method: "POST", url: url, body: .data(body))
        request.headers.set("Content-Type", "application/json")
        request.headers.set("Accept", "application/json")
        try options.apply(to: &request.headers, queue: true)
        request.startsWork = true
        logger?.debug("submitting", metadata: ["fal.endpoint": "\(endpoint.full)", "fal.bytes": "\(body.count)"])
        let response = try await send(request)
        let submission = try QueueSubmission(data: response.body)
        logger?.debug("submitted", metadata: ["fal.endpoint": "\(endpoint.full)", "fal.request_id": "\(submission.requestID)"])
        return submission
    }

    /// `GET {queue}/{owner}/{alias}/requests/{id}/status[?logs=1]`.
    public func status(_ endpointID: String, requestID: String, logs: Bool = false) async throws(FalError) -> QueueStatus {
        try await status(at: try QueueURLs(endpointID, requestID: requestID, hosts: configuration.hosts), logs: logs)
    }

    func status(at urls: QueueURLs, logs: Bool) async throws(FalError) -> QueueStatus {
        let response = try await send(FalRequest(method: "GET", url: urls.status(logs: logs)))
        return try QueueStatus(data: response.body)
    }

    /// `GET {queue}/{owner}/{alias}/requests/{id}`, decoded as `Output`. For a request that completed
    /// with an error this throws fal's error: `.validation` with field paths for input the model
    /// rejected, `.cancelled`, `.timeout` (the start timeout passed), or `.http` with fal's detail.
    public func result<Output: Decodable>(_ endpointID: String, requestID: String, as output: Output.Type = Output.self) async throws(FalError) -> Output {
        try await result(at: try QueueURLs(endpointID, requestID: requestID, hosts: configuration.hosts), as: Output.self)
    }

    func result<Output: Decodable>(at urls: QueueURLs, as output: Output.Type) async throws(FalError) -> Output {
        let requestID = urls.requestID
        let response = try await send(FalRequest(method: "GET", url: urls.result)) {
            FalErrorMapping.resultError(from: $0, requestID: requestID)
        }
        return try FalJSON.decode(Output.self, from: response.body)
    }

    /// The error of a request whose status said `COMPLETED` with `error`: fal's result endpoint knows
    /// more (the 422's field paths, cancelled, timed out), as fal's clients report it; otherwise (a
    /// runner error) it is `.requestFailed` with the status's message and error type.
    func completionError(_ urls: QueueURLs, message: String, errorType: String?) async -> FalError {
        let stated = FalError.requestFailed(requestID: urls.requestID, message: message, errorType: errorType)
        do {
            _ = try await result(at: urls, as: JSONValue.self)
            return stated
        } catch {
            switch error {
            case .validation, .timeout, .cancelled: return error
            default: return stated
            }
        }
    }

    /// `PUT {queue}/{owner}/{alias}/requests/{id}/cancel`.
    public func cancel(_ endpointID: String, requestID: String) async throws(FalError) {
        try await cancel(at: try QueueURLs(endpointID, requestID: requestID, hosts: configuration.hosts))
    }

    func cancel(at urls: QueueURLs) async throws(FalError) {
        _ = try await send(FalRequest(method: "PUT", url: urls.cancel))
    }

    /// The request's progress until it completes: from fal's status stream (server-sent events) by
    /// default, falling back to polling every `pollInterval` when the stream is unavailable or drops.
    /// The sequence finishes after `.completed`; it throws `FalError`.
    /// A consumer slower than the updates sees the newest ones (the last is always the completion).
    public func statusUpdates(_ endpointID: String, requestID: String, logs: Bool = false) -> AsyncThrowingStream<QueueStatus, any Error> {
        do {
            return statusUpdates(at: try QueueURLs(endpointID, requestID: requestID, hosts: configuration.hosts), logs: logs)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
    }

    func statusUpdates(at urls: QueueURLs, logs: Bool) -> AsyncThrowingStream<QueueStatus, any Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingNewest(64)) { continuation in
            let task = Task {
                do {
                    var completed = false
                    if configuration.statusUpdates == .streamWithPollingFallback {
                        completed = try await streamStatus(urls, logs: logs) { continuation.yield($0) }
                    }
                    while !completed {
                        let status = try await status(at: urls, logs: logs)
                        continuation.yield(status)
                        completed = status.isCompleted
                        if !completed { try await Task.sleep(for: RetryPolicy.sleepable(configuration.pollInterval)) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: FalErrorMapping.error(from: error))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Follows `…/status/stream`; returns whether `.completed` arrived. Failing to open the stream, or
    /// losing it (including to the idle timeout, when it goes silent), is not an error: the caller polls
    /// from there.
    private func streamStatus(_ urls: QueueURLs, logs: Bool, yield: (QueueStatus) -> Void) async throws -> Bool {
        let requestID = urls.requestID
        var request = FalRequest(method: "GET", url: urls.statusStream(logs: logs))
        request.headers.set("Accept", "text/event-stream")
        request.timeout = .some(nil)
        let response: HTTPStreamingResponse
        do {
            response = try await openStream(request)
        } catch FalError.cancelled(let id) {
            throw FalError.cancelled(requestID: id ?? requestID)
        } catch {
            logger?.notice("status stream unavailable, polling instead", metadata: [
                "fal.request_id": "\(requestID)", "fal.reason": "\(error)"])
            return false
        }
        do {
            for try await event in response.events {
                guard event.data.contains("\"status\"") else { continue }  // keep-alives and non-status events
                let status = try QueueStatus(data: Data(event.data.utf8))
                yield(status)
                if status.isCompleted { return true }
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            logger?.notice("status stream lost, polling instead", metadata: [
                "fal.request_id": "\(requestID)", "fal.reason": "\(error)"])
            return false
        }
        logger?.notice("status stream ended before completion, polling instead", metadata: ["fal.request_id": "\(requestID)"])
        return false
    }

    /// Submits, follows the request until it completes, and returns its result.
    /// Cancelling the calling task cancels the remote request too.
    ///
    /// - Parameters:
    ///   - endpointID: fal's endpoint id, e.g. `fal-ai/illusion-diffusion`.
    ///   - input: the request body; validated, and its `FalFile.data` / `.localFile` values uploaded, before submitting.
    ///   - output: the type the result is decoded as.
    ///   - logs: ask fal for the request's logs in status updates.
    ///   - timeout: client-side limit on the whole request; when it passes the remote request is
    ///     cancelled and `FalError.timeout` is thrown. Also sent as the server-side start timeout
    ///     unless `options.startTimeout` is set, as fal's clients do.
    ///   - options: fal's per-request headers (priority, start timeout, runner hint, …).
    ///   - onQueueUpdate: called with every status update; a trailing closure binds here (it comes before
    ///     `onEnqueue` so that `subscribe(…) { update in … }` reports progress, not the request id).
    ///   - onEnqueue: called with the request id once submitted.
    public func subscribe<Input: Encodable & Validatable, Output: Decodable & Sendable>(
        _ endpointID: String, input: Input, as output: Output.Type = Output.self, logs: Bool = false,
        timeout: Duration? = nil, options: RequestOptions = RequestOptions(),
        onQueueUpdate: (@Sendable (QueueStatus) -> Void)? = nil, onEnqueue: (@Sendable (String) -> Void)? = nil
    ) async throws(FalError) -> Output {
        let endpoint = try EndpointPath(endpointID)
        var submitOptions = options
        if let timeout, submitOptions.startTimeout == nil, timeout > .seconds(1) { submitOptions.startTimeout = timeout }
        let options = submitOptions
        try options.validate()
        let body = try await prepareBody(input)
        let submitted = RequestIDBox()
        let work: @Sendable () async throws -> Output = {
            let submission = try await self.submit(endpoint, body: body, webhookURL: nil, options: options)
            // fal's own URLs for this request when they lie on the configured queue host, ours otherwise.
            let urls = try QueueURLs(endpointID, submission: submission, hosts: self.configuration.hosts)
            submitted.set(urls)
            onEnqueue?(submission.requestID)
            for try await status in self.statusUpdates(at: urls, logs: logs) {
                onQueueUpdate?(status)
                if case .completed(_, _, let error?, let errorType) = status {
                    throw RemoteFailure(error: await self.completionError(urls, message: error, errorType: errorType))
                }
            }
            return try await self.result(at: urls, as: Output.self)
        }
        do {
            guard let timeout else { return try await work() }
            return try await withThrowingTaskGroup(of: Output?.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    try await Task.sleep(for: RetryPolicy.sleepable(timeout))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let output = first else {
                    throw FalError.timeout(requestID: submitted.value?.requestID)
                }
                return output
            }
        } catch let remote as RemoteFailure {
            throw remote.error  // the remote request is over: nothing to cancel
        } catch {
            var failure = FalErrorMapping.error(from: error)
            if case .cancelled = failure { failure = .cancelled(requestID: submitted.value?.requestID) }
            switch failure {
            case .timeout, .cancelled:
                if let urls = submitted.value {
                    logger?.debug("cancelling the remote request", metadata: [
                        "fal.request_id": "\(urls.requestID)", "fal.reason": "\(failure)"])
                    await cancelDetached(urls)
                }
            default: break
            }
            throw failure
        }
    }

    /// Best-effort remote cancel that still runs when the calling task is already cancelled.
    private func cancelDetached(_ urls: QueueURLs) async {
        await Task { try? await self.cancel(at: urls) }.value
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters, bytewise on UTF-8: safe as one
    /// path segment and as a query value.
    static func percentEncoded(_ value: String) -> String {
        func unreserved(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
            default: false
            }
        }
        if value.utf8.allSatisfy(unreserved) { return value }  // request ids are UUIDs: the common case
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(value.utf8.count * 3)
        for byte in value.utf8 {
            if unreserved(byte) {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}

/// How a subscribed request that completed with an error ended; kept apart from local timeouts and
/// cancellation, which must cancel the remote request.
private struct RemoteFailure: Error {
    var error: FalError
}

/// The submitted request of a subscribe, written by its work task and read when it times out or is cancelled.
final class RequestIDBox: Sendable {
    private let storage = Mutex<QueueURLs?>(nil)
    func set(_ urls: QueueURLs) { storage.withLock { $0 = urls } }
    var value: QueueURLs? { storage.withLock { $0 } }
}

import Synchronization
