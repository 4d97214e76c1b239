import FalCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

/// The single responder behind every prefix: routes, checks credentials, injects failures, logs.
struct EmulatorResponder: HTTPResponder {
    typealias Context = EmulatorContext
    let state: EmulatorState

    func respond(to request: Request, context: EmulatorContext) async throws -> Response {
        let route = Route(method: request.method, path: request.uri.path)
        // Credentials come first: a keyless request is refused with 401 whatever failure is being injected.
        let refusal = authorize(route, request)
        guard let operation = route.operation else {
            if let refusal { return refusal }
            return await emulatorRoute(route, request)
        }

        let (base, generation) = state.controlsAndGeneration
        let controls = ControlHeaders.resolve(base, headers: request.headers)
        let scenario = request.headers[ControlHeaders.field(ControlHeaders.scenario)] ?? "\(request.method.rawValue) \(request.uri.path)"
        // Attempts toward `times` are counted from when the failure was set: for emulator-wide controls,
        // the last change of controls; for a header, the first request of the scenario that carried it.
        let candidate = controls.failure.flatMap { $0.operations?.contains(operation) ?? true ? $0 : nil }
        let source = candidate.map { candidate in
            ControlHeaders.failure(request.headers) != nil ? "header \(candidate.mode.rawValue)" : "controls #\(generation)"
        }
        let attempt = state.log.beginAttempt(scenario: scenario, injectionSource: refusal == nil ? source : nil)
        var failure: FailureInjection?
        if let candidate, let attempt, candidate.times.map({ attempt <= $0 }) ?? true {
            failure = candidate
        }
        let injected = failure?.mode
        var entry = RequestLog.Entry(
            method: request.method.rawValue, path: request.uri.path, operation: operation, scenario: scenario, status: 0, injected: injected)

        if let failure, failure.mode != .completedWithError {
            entry.status = failure.mode == .rateLimited ? 429 : failure.mode == .ingressUnavailable ? 503 : 0
            state.log.record(entry)
            return try await inject(failure, context: context)
        }
        entry.injected = nil  // "COMPLETED with error" is carried by the job, not the HTTP answer
        let response: Response
        if let refusal {
            response = refusal
        } else {
            response = await handle(route, request, controls: controls, injectError: injected == .completedWithError)
        }
        entry.status = response.status.code
        if injected == .completedWithError { entry.injected = .completedWithError }
        state.log.record(entry)
        return response
    }

    private func handle(_ route: Route, _ request: Request, controls: EmulatorControls, injectError: Bool) async -> Response {
        let queue = QueueRoutes(state: state)
        let storage = StorageRoutes(state: state)
        switch route {
        case .submit(let app): return await queue.submit(request, app: app, controls: controls, injectError: injectError)
        case .status(let app, let id): return queue.status(request, app: app, requestID: id)
        case .statusStream(let app, let id): return queue.statusStream(request, app: app, requestID: id)
        case .result(let app, let id): return queue.result(app: app, requestID: id)
        case .cancel(let app, let id): return queue.cancel(app: app, requestID: id)
        case .run(let app): return await RunRoutes(state: state).run(request, app: app, controls: controls, injectError: injectError)
        case .storageToken: return storage.token()
        case .realtimeToken: return await RealtimeTokenRoute(state: state).issue(request)
        case .uploadInitiate: return await storage.initiate(request)
        case .jwks: return Reply.json(state.signer.jwks)
        case .signedUpload(let token): return await storage.signedPut(request, token: token)
        case .cdnUpload: return await storage.upload(request)
        case .multipartBegin: return storage.beginMultipart(request)
        case .multipartPart(let key, let uploadID, let part): return await storage.uploadPart(request, key: key, uploadID: uploadID, part: part)
        case .multipartComplete(let key, let uploadID): return await storage.completeMultipart(request, key: key, uploadID: uploadID)
        case .download(let key): return storage.download(key: key)
        case .openAPI: return openAPIDocument(request)
        case .emulatorRequests, .emulatorWebhooks, .emulatorControls, .emulatorReset, .emulatorOpenAPI, .emulatorRealtime, .notFound,
            .methodNotAllowed:
            return await emulatorRoute(route, request)
        }
    }

    // MARK: Credentials

    /// nil when allowed; otherwise fal's 401. The key itself is never echoed.
    private func authorize(_ route: Route, _ request: Request) -> Response? {
        let header = request.headers[.authorization] ?? ""
        switch route.credential {
        case .none: return nil
        case .falKeyOrCDNToken:
            if header.hasPrefix("Bearer "), state.files.isValidToken(String(header.dropFirst("Bearer ".count))) { return nil }
            if isValidKey(header) { return nil }
            return Reply.detail("Missing or invalid credentials: send a storage token (`Authorization: Bearer …`) or `Authorization: Key …`", status: .unauthorized)
        case .falKey:
            if isValidKey(header) { return nil }
            return Reply.detail("Missing or invalid credentials: send `Authorization: Key <FAL_KEY>`", status: .unauthorized)
        }
    }

    private func isValidKey(_ header: String) -> Bool { state.acceptsKey(header) }

    // MARK: Failure injection

    private func inject(_ failure: FailureInjection, context: EmulatorContext) async throws -> Response {
        switch failure.mode {
        case .rateLimited:
            return Reply.detail("Too many requests (emulated rate limit)", status: .tooManyRequests, requestID: Identifiers.requestID(), errorType: "rate_limited")
        case .ingressUnavailable:
            return Reply.ingressUnavailable()
        case .connectionReset:
            // SO_LINGER 0 makes close() send RST instead of FIN: the client sees a reset, not an empty reply.
            try? await (context.channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            try? await context.channel.close().get()
            throw ConnectionResetInjected()
        case .stalledBody:
            let stall = Duration.seconds(clamping: failure.stallSeconds, maximum: FailureInjection.maxStallSeconds)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init { [state] writer in
                try await writer.write(ByteBuffer(string: "{\"request_id\": \""))
                try? await state.wait(stall)
                // Never finish the body: closing the stream mid-body is what a stalled upstream looks like.
                throw ConnectionResetInjected()
            })
        case .completedWithError:
            // Carried by the job rather than the HTTP answer; `respond` never routes it here.
            return Reply.detail(EmulatorState.injectedErrorMessage, status: .internalServerError, errorType: EmulatorState.injectedErrorType)
        }
    }

    struct ConnectionResetInjected: Error {}

    // MARK: fal.ai and the emulator's own routes

    /// `GET /api/openapi/queue/openapi.json?endpoint_id=ID`: the document set with `PUT /_emulator/openapi`,
    /// else the document as loaded.
    private func openAPIDocument(_ request: Request) -> Response {
        guard let id = request.uri.queryParameters["endpoint_id"].map(String.init) else {
            return Reply.detail("Query parameter endpoint_id is required", status: .badRequest)
        }
        guard let document = state.documents.document(id) ?? state.catalog.endpoint(id)?.documentData else {
            return Reply.detail("No OpenAPI document for endpoint '\(id)'", status: .notFound)
        }
        return Reply.bytes(document, contentType: "application/json")
    }

    /// `PUT /_emulator/openapi?endpoint_id=ID` (body: the document, served byte for byte), `DELETE …` (back
    /// to the loaded one), `GET /_emulator/openapi` (the ids with a replaced document).
    private func replaceOpenAPIDocument(_ request: Request) async -> Response {
        if request.method == .get { return Reply.json(["endpoint_ids": .array(state.documents.ids.map(JSONValue.string))]) }
        guard let id = request.uri.queryParameters["endpoint_id"].map(String.init), !id.isEmpty else {
            return Reply.detail("Query parameter endpoint_id is required", status: .badRequest)
        }
        if request.method == .delete {
            let removed = state.documents.remove(id)
            return Reply.json(["endpoint_id": .string(id), "removed": .bool(removed)])
        }
        let data: Data
        switch await BodyReader.bytes(request, limit: state.configuration.maxJSONBodyBytes) {
        case .failure(let error): return error.response
        case .success(let bytes): data = bytes
        }
        switch JSONBodyParser.parse(data) {
        case .failure(let refusal): return BodyReader.reply(refusal).response
        case .success(let body):
            guard body.value["openapi"]?.stringValue != nil, body.value["paths"]?.objectValue != nil else {
                return Reply.validation([ValidationIssue(path: .root, message: "expected an OpenAPI document (with `openapi` and `paths`)")])
            }
            state.documents.replace(id, with: data)
            return Reply.json(["endpoint_id": .string(id), "bytes": .int(body.size)])
        }
    }

    private func emulatorRoute(_ route: Route, _ request: Request) async -> Response {
        switch route {
        case .emulatorRequests: return Reply.json(state.log.json)
        case .emulatorWebhooks: return Reply.json(state.webhooks.json)
        case .emulatorReset:
            state.log.reset()
            state.jobs.removeAll()
            state.files.removeAll()
            state.documents.removeAll()
            state.controls = state.configuration.controls
            state.realtime.resetDelays()
            return Reply.json(["reset": true])
        case .emulatorOpenAPI:
            return await replaceOpenAPIDocument(request)
        case .emulatorRealtime(let action):
            return RealtimeControlRoutes(state: state).handle(action, request)
        case .emulatorControls:
            if request.method == .put {
                switch await BodyReader.bytes(request, limit: 64 << 10) {
                case .failure(let error): return error.response
                case .success(let data):
                    do {
                        state.controls = try JSONDecoder().decode(EmulatorControls.self, from: data).bounded()
                    } catch {
                        return Reply.detail("Invalid controls: \(error)", status: .unprocessableContent)
                    }
                }
            }
            let data = (try? JSONEncoder().encode(state.controls)) ?? Data("{}".utf8)
            return Reply.bytes(data, contentType: "application/json")
        case .methodNotAllowed:
            return Reply.detail("Method \(request.method.rawValue) not allowed on \(request.uri.path)", status: .methodNotAllowed)
        default:
            return Reply.detail("Not found: \(request.uri.path)", status: .notFound)
        }
    }
}
