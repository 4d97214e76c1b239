/// The typed face of one endpoint on a client: `fal.illusionDiffusion.subscribe(...)`.
/// Generated code adds one `FalClient` property per endpoint returning this; every method is a thin
/// typed wrapper over the client's generic queue, run and storage functions. Every method validates
/// the input before any I/O and uploads `FalFile.data` / `.localFile` values before sending.
public struct EndpointClient<Endpoint: FalEndpoint>: Sendable {
    /// The client whose configuration and transport every call uses.
    public let client: FalClient

    /// The endpoint's typed face on `client`; `client.endpoint(_:)` and generated properties make one.
    public init(client: FalClient) { self.client = client }

    /// fal's endpoint id, e.g. `fal-ai/illusion-diffusion`.
    public var id: String { Endpoint.id }

    /// Submits to the queue and waits for the output, reporting progress to `onQueueUpdate`.
    /// `timeout` bounds the whole request and cancels it remotely when it passes.
    ///
    /// A trailing closure is the progress handler: `subscribe(input) { update in print(update) }`.
    public func subscribe(
        _ input: Endpoint.Input, logs: Bool = false, timeout: Duration? = nil, options: RequestOptions = RequestOptions(),
        onQueueUpdate: (@Sendable (QueueStatus) -> Void)? = nil, onEnqueue: (@Sendable (String) -> Void)? = nil
    ) async throws(FalError) -> Endpoint.Output {
        try await client.subscribe(
            Endpoint.id, input: input, as: Endpoint.Output.self, logs: logs, timeout: timeout, options: options,
            onQueueUpdate: onQueueUpdate, onEnqueue: onEnqueue)
    }

    /// Runs synchronously on `fal.run` (no queue).
    public func run(_ input: Endpoint.Input, timeout: Duration? = nil, options: RequestOptions = RequestOptions()) async throws(FalError) -> Endpoint.Output {
        try await client.run(Endpoint.id, input: input, as: Endpoint.Output.self, timeout: timeout, options: options)
    }

    /// Enqueues the request; fal POSTs the result to `webhookURL` when it completes, if given.
    public func submit(_ input: Endpoint.Input, webhookURL: String? = nil, options: RequestOptions = RequestOptions()) async throws(FalError) -> QueueSubmission {
        try await client.submit(Endpoint.id, input: input, webhookURL: webhookURL, options: options)
    }

    /// The request's current status (`GET …/requests/{id}/status`); `logs` asks fal to include its log lines.
    public func status(requestID: String, logs: Bool = false) async throws(FalError) -> QueueStatus {
        try await client.status(Endpoint.id, requestID: requestID, logs: logs)
    }

    /// Status updates until completion (status stream, polling fallback).
    public func statusUpdates(requestID: String, logs: Bool = false) -> AsyncThrowingStream<QueueStatus, any Error> {
        client.statusUpdates(Endpoint.id, requestID: requestID, logs: logs)
    }

    /// The request's output (`GET …/requests/{id}`); throws fal's error when the request failed.
    public func result(requestID: String) async throws(FalError) -> Endpoint.Output {
        try await client.result(Endpoint.id, requestID: requestID, as: Endpoint.Output.self)
    }

    /// Asks fal to cancel the request (`PUT …/requests/{id}/cancel`).
    public func cancel(requestID: String) async throws(FalError) {
        try await client.cancel(Endpoint.id, requestID: requestID)
    }

    /// Partial outputs of a streaming endpoint (`POST {run}/{id}/stream`), decoded as the output type.
    public func stream(_ input: Endpoint.Input, options: RequestOptions = RequestOptions()) async throws(FalError) -> AsyncThrowingStream<Endpoint.Output, any Error> {
        try await client.stream(Endpoint.id, input: input, as: Endpoint.Output.self, options: options)
    }

    /// Partial outputs decoded as `Event` (for endpoints whose partial events differ from the final output).
    public func stream<Event: Decodable & Sendable>(_ input: Endpoint.Input, as event: Event.Type, options: RequestOptions = RequestOptions()) async throws(FalError) -> AsyncThrowingStream<Event, any Error> {
        try await client.stream(Endpoint.id, input: input, as: Event.self, options: options)
    }
}

extension FalClient {
    /// The typed client of any endpoint, generated or hand-declared.
    public func endpoint<Endpoint: FalEndpoint>(_ endpoint: Endpoint.Type) -> EndpointClient<Endpoint> {
        EndpointClient(client: self)
    }
}
