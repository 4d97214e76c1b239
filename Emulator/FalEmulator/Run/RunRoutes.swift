import FalCore
import Foundation
import HTTPTypes
import Hummingbird

/// fal.run: synchronous runs (`POST /run/{id}`) and streaming runs (`POST /run/{id}/stream`, SSE).
struct RunRoutes: Sendable {
    let state: EmulatorState

    /// Which endpoint a `/run/…` path names, and whether it asks for the stream.
    func resolve(_ app: AppPath) -> (endpoint: EmulatedEndpoint, streaming: Bool)? {
        if let endpoint = state.catalog.endpoint(app.endpointID) { return (endpoint, false) }
        guard app.rest.last == "stream" else { return nil }
        var base = app
        base.rest.removeLast()
        return state.catalog.endpoint(base.endpointID).map { ($0, true) }
    }

    func run(_ request: Request, app: AppPath, controls: EmulatorControls, injectError: Bool) async -> Response {
        guard let (endpoint, streaming) = resolve(app) else { return QueueRoutes.unknownEndpoint(app.endpointID, state) }
        let input: JSONValue
        switch await BodyReader.jsonObject(request, limit: state.configuration.maxJSONBodyBytes) {
        case .success(let body): input = body.value
        case .failure(let error): return error.response
        }
        let requestID = Identifiers.requestID()
        let issues = endpoint.issues(in: input)
        if !issues.isEmpty { return Reply.validation(issues, requestID: requestID) }

        let queueWait = Duration.milliseconds(controls.queueDepth * controls.queueStepMilliseconds)
        if let timeout = QueueRoutes.startTimeout(request.headers), queueWait > timeout {
            try? await state.wait(timeout)
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Fal-Request-Timeout-Type")!] = "user"
            headers[Reply.errorTypeHeader] = "request_timeout"
            return Reply.json(["detail": .string(EmulatorState.startTimeoutMessage)], status: .gatewayTimeout, requestID: requestID, headers: headers)
        }
        let output = state.fabricator.fabricate(endpoint.endpoint, input: input)
        if streaming {
            return Reply.eventStream(requestID: requestID) { [state] writer in
                try await state.wait(queueWait)
                if injectError {
                    try await writer.sendEvent(["detail": .string(EmulatorState.injectedErrorMessage)])
                    return
                }
                let partials = Self.partials(of: output, count: max(controls.logLines, 1))
                let pause = Duration.milliseconds(controls.latencyMilliseconds) / max(partials.count, 1)
                for partial in partials {
                    try await state.wait(pause)
                    try await writer.sendEvent(partial)
                }
            }
        }
        try? await state.wait(queueWait + .milliseconds(controls.latencyMilliseconds))
        if injectError {
            return Reply.detail(EmulatorState.injectedErrorMessage, status: .internalServerError, requestID: requestID, errorType: EmulatorState.injectedErrorType)
        }
        return Reply.json(output, requestID: requestID)
    }

    /// Progressive events ending with the full output: arrays fill up item by item, as a model streaming
    /// its images would; outputs without arrays repeat the final value.
    static func partials(of output: JSONValue, count: Int) -> [JSONValue] {
        guard case .object(let fields) = output else { return [output] }
        let steps = max(1, count)
        return (1...steps).map { step in
            guard step < steps else { return output }
            return .object(fields.mapValues { value in
                guard let items = value.arrayValue else { return value }
                return .array(Array(items.prefix(items.count * step / steps)))
            })
        }
    }
}
