import Foundation
import Logging

/// fal's synchronous endpoints: `POST {run}/{id}` and the streaming `POST {run}/{id}/stream`.
extension FalClient {
    /// Runs the endpoint and waits for its output in the same HTTP exchange (no queue).
    public func run<Input: Encodable & Validatable, Output: Decodable>(
        _ endpointID: String, input: Input, as output: Output.Type = Output.self,
        timeout: Duration? = nil, options: RequestOptions = RequestOptions()
    ) async throws(FalError) -> Output {
        // Generation can take minutes: no client deadline unless the caller asks for one, like fal's clients.
        let request = try await runRequest(endpointID, input: input, suffix: "", accept: "application/json", timeout: timeout, options: options)
        let response = try await send(request)
        return try FalJSON.decode(Output.self, from: response.body)
    }

    /// Streams partial outputs of a streaming endpoint as they are produced (server-sent events).
    /// Validation, uploads and opening the stream happen before this returns; the sequence throws `FalError`.
    public func stream<Input: Encodable & Validatable, Event: Decodable & Sendable>(
        _ endpointID: String, input: Input, as event: Event.Type = Event.self, options: RequestOptions = RequestOptions()
    ) async throws(FalError) -> AsyncThrowingStream<Event, any Error> {
        let request = try await runRequest(endpointID, input: input, suffix: "/stream", accept: "text/event-stream", timeout: nil, options: options)
        let events = EventDecoder<Event>(events: try await openStream(request).events.makeAsyncIterator())
        // Pulled, not pushed: each event is read off the wire when the consumer asks for it, so a slow
        // consumer pauses the transfer instead of queueing events. Dropping the sequence aborts it.
        return AsyncThrowingStream(unfolding: { try await events.next() })
    }

    /// `POST {run}/{id}{suffix}` with the validated, uploaded input; never resent once answered.
    private func runRequest<Input: Encodable & Validatable>(
        _ endpointID: String, input: Input, suffix: String, accept: String, timeout: Duration?, options: RequestOptions
    ) async throws(FalError) -> FalRequest {
        let endpoint = try EndpointPath(endpointID)
        try options.validate()
        let body = try await prepareBody(input)
        var request = FalRequest(method: "POST", url: "\(configuration.hosts.run)/\(endpoint.full)\(suffix)", body: .data(body))
        request.headers.set("Content-Type", "application/json")
        request.headers.set("Accept", accept)
        try options.apply(to: &request.headers, queue: false)
        request.timeout = .some(timeout)
        request.startsWork = true
        logger?.debug("running", metadata: ["fal.endpoint": "\(endpoint.full)\(suffix)", "fal.bytes": "\(body.count)"])
        return request
    }
}

/// Decodes a run stream's events one at a time for `AsyncThrowingStream(unfolding:)`, which calls it from
/// one consumer at a time.
private final class EventDecoder<Event: Decodable & Sendable>: @unchecked Sendable {
    private var events: ServerSentEventStream.Iterator

    init(events: ServerSentEventStream.Iterator) { self.events = events }

    func next() async throws(FalError) -> Event? {
        do {
            guard let event = try await events.next() else { return nil }
            if event.event == "error" {
                let json = try? JSONTapeDecoder().decode(JSONValue.self, from: Data(event.data.utf8))
                throw FalError.http(
                    status: 500, detail: json?["detail"]?.stringValue ?? json?["error"]?.stringValue ?? event.data,
                    errorType: json?["error_type"]?.stringValue, requestID: nil)
            }
            return try FalJSON.decode(Event.self, from: Data(event.data.utf8))
        } catch {
            throw FalErrorMapping.error(from: error)
        }
    }
}
