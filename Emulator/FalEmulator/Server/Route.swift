import HTTPTypes

/// Where a request goes, decided from its method and path alone (before auth, failures and bodies).
enum Route: Sendable {
    case submit(AppPath)
    case status(AppPath, requestID: String)
    case statusStream(AppPath, requestID: String)
    case result(AppPath, requestID: String)
    case cancel(AppPath, requestID: String)
    case run(AppPath)
    case storageToken
    /// rest.fal.ai's `POST /tokens/`: a realtime token.
    case realtimeToken
    case uploadInitiate
    case jwks
    case signedUpload(token: String)
    case cdnUpload
    case multipartBegin
    case multipartPart(key: String, uploadID: String, part: String)
    case multipartComplete(key: String, uploadID: String)
    case download(key: String)
    case openAPI
    case emulatorRequests, emulatorWebhooks, emulatorControls, emulatorReset, emulatorOpenAPI
    /// `GET /_emulator/realtime` (nil) and `POST /_emulator/realtime/{action}`.
    case emulatorRealtime(action: String?)
    case notFound
    case methodNotAllowed

    init(method: HTTPRequest.Method, path: String) {
        let segments = path.split(separator: "/")
        guard let prefix = segments.first else {
            self = .notFound
            return
        }
        let rest = Array(segments.dropFirst())
        switch prefix {
        case "queue": self = Self.queue(method, rest)
        case "run":
            guard let app = AppPath(segments: rest) else { self = .notFound; return }
            self = method == .post ? .run(app) : .methodNotAllowed
        case "rest": self = Self.rest(method, rest)
        case "cdn": self = Self.cdn(method, rest)
        case "api":
            self = rest.map(String.init) == ["openapi", "queue", "openapi.json"] ? (method == .get ? .openAPI : .methodNotAllowed) : .notFound
        case "_emulator": self = Self.emulator(method, rest)
        default: self = .notFound
        }
    }

    private static func queue(_ method: HTTPRequest.Method, _ segments: [Substring]) -> Route {
        guard let app = AppPath(segments: segments) else { return .notFound }
        switch app.queueResource {
        case .result(let id)?: return method == .get ? .result(app, requestID: id) : .methodNotAllowed
        case .status(let id)?: return method == .get ? .status(app, requestID: id) : .methodNotAllowed
        case .statusStream(let id)?: return method == .get ? .statusStream(app, requestID: id) : .methodNotAllowed
        case .cancel(let id)?: return method == .put ? .cancel(app, requestID: id) : .methodNotAllowed
        case nil:
            if method == .post { return .submit(app) }
            // `…/requests/{id}/anything-else` names no resource at all: 404, not "wrong method".
            return app.rest.contains("requests") ? .notFound : .methodNotAllowed
        }
    }

    private static func rest(_ method: HTTPRequest.Method, _ segments: [Substring]) -> Route {
        switch segments.map(String.init) {
        case ["storage", "auth", "token"]: return method == .get || method == .post ? .storageToken : .methodNotAllowed
        case ["storage", "upload", "initiate"]: return method == .post ? .uploadInitiate : .methodNotAllowed
        case [".well-known", "jwks.json"]: return method == .get ? .jwks : .methodNotAllowed
        case ["tokens"]: return method == .post ? .realtimeToken : .methodNotAllowed
        default: return .notFound
        }
    }

    private static func cdn(_ method: HTTPRequest.Method, _ segments: [Substring]) -> Route {
        let names = segments.map(String.init)
        if names.count == 2, names[0] == "uploads" { return method == .put ? .signedUpload(token: names[1]) : .methodNotAllowed }
        guard names.first == "files", names.count >= 2 else { return .notFound }
        let tail = Array(names.dropFirst())
        if tail == ["upload"] { return method == .post ? .cdnUpload : .methodNotAllowed }
        if tail == ["upload", "multipart"] { return method == .post ? .multipartBegin : .methodNotAllowed }
        if tail.count >= 4, tail[tail.count - 3] == "multipart" {
            let key = tail[..<(tail.count - 3)].joined(separator: "/")
            let uploadID = tail[tail.count - 2]
            if tail.last == "complete" { return method == .post ? .multipartComplete(key: key, uploadID: uploadID) : .methodNotAllowed }
            return method == .put ? .multipartPart(key: key, uploadID: uploadID, part: tail[tail.count - 1]) : .methodNotAllowed
        }
        return method == .get || method == .head ? .download(key: tail.joined(separator: "/")) : .methodNotAllowed
    }

    private static func emulator(_ method: HTTPRequest.Method, _ segments: [Substring]) -> Route {
        if segments.count == 2, segments[0] == "realtime", RealtimeControlRoutes.actions.contains(String(segments[1])) {
            return method == .post ? .emulatorRealtime(action: String(segments[1])) : .methodNotAllowed
        }
        switch (method, segments.map(String.init)) {
        case (.get, ["requests"]): return .emulatorRequests
        case (.get, ["webhooks"]): return .emulatorWebhooks
        case (.get, ["controls"]), (.put, ["controls"]): return .emulatorControls
        case (.post, ["reset"]): return .emulatorReset
        case (.get, ["openapi"]), (.put, ["openapi"]), (.delete, ["openapi"]): return .emulatorOpenAPI
        case (.get, ["realtime"]): return .emulatorRealtime(action: nil)
        case (_, ["requests"]), (_, ["webhooks"]), (_, ["controls"]), (_, ["reset"]), (_, ["openapi"]), (_, ["realtime"]):
            return .methodNotAllowed
        default: return .notFound
        }
    }

    /// The fal operation, for failure targeting and the request log; nil for the emulator's own routes.
    var operation: Operation? {
        switch self {
        case .submit: return .submit
        case .status: return .status
        case .statusStream: return .statusStream
        case .result: return .result
        case .cancel: return .cancel
        case .run(let app): return app.rest.last == "stream" ? .stream : .run
        case .storageToken, .uploadInitiate, .jwks: return .storage
        case .realtimeToken: return .token
        case .signedUpload, .cdnUpload, .multipartBegin, .multipartPart, .multipartComplete, .download: return .upload
        case .openAPI: return .openapi
        case .emulatorRequests, .emulatorWebhooks, .emulatorControls, .emulatorReset, .emulatorOpenAPI, .emulatorRealtime, .notFound,
            .methodNotAllowed:
            return nil
        }
    }

    enum Credential { case falKey, falKeyOrCDNToken, none }

    /// What authorises the route: fal's API key (also for the emulator's own controls, which change what
    /// every client sees), a CDN token (uploads), or nothing (public files, signed URLs, JWKS, documents).
    var credential: Credential {
        switch self {
        case .submit, .status, .statusStream, .result, .cancel, .run, .storageToken, .uploadInitiate, .realtimeToken: return .falKey
        case .emulatorRequests, .emulatorWebhooks, .emulatorControls, .emulatorReset, .emulatorOpenAPI, .emulatorRealtime: return .falKey
        case .cdnUpload, .multipartBegin, .multipartPart, .multipartComplete: return .falKeyOrCDNToken
        case .jwks, .signedUpload, .download, .openAPI, .notFound, .methodNotAllowed: return .none
        }
    }
}
