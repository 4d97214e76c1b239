import Foundation

/// Realtime connections: fal's WebSocket protocol (msgpack frames), as fal's JS, Python and Swift clients speak it.
extension FalClient {
    /// Opens a realtime connection to `endpointID` whose inputs and results are `Input` and `Output`.
    /// The typed form is `fal.fastSDXLImageToImage.realtime(...)` (every generated endpoint has it).
    public func realtime<Input: Encodable & Validatable & Sendable, Output: Decodable & Sendable>(
        _ endpointID: String, input: Input.Type = Input.self, output: Output.Type = Output.self,
        options: RealtimeOptions = RealtimeOptions()
    ) async throws(FalError) -> RealtimeConnection<Input, Output> {
        let decoder = MessagePackDecoder()
        return try await openRealtime(endpointID, options: options) { try decoder.decode(Output.self, from: $0) }
    }

    /// Opens a realtime connection to an endpoint the SDK was not generated for: inputs and results are
    /// `JSONValue` (bytes fal sends, such as an image's `content`, arrive base64-encoded as strings).
    public func realtime(_ endpointID: String, options: RealtimeOptions = RealtimeOptions()) async throws(FalError) -> RealtimeConnection<JSONValue, JSONValue> {
        try await openRealtime(endpointID, options: options) { try JSONValue($0) }
    }

    private func openRealtime<Input: Encodable & Validatable & Sendable, Output: Sendable>(
        _ endpointID: String, options: RealtimeOptions, decode: @escaping @Sendable (MessagePackValue) throws -> Output
    ) async throws(FalError) -> RealtimeConnection<Input, Output> {
        try options.validate()
        let endpoint = try EndpointPath(endpointID)
        let app = Self.realtimeApp(endpoint.full, path: options.path)
        let url = try realtimeURL(app, maxBuffering: options.maxBuffering)
        let tokenApp = app
        let fetchToken: @Sendable () async throws -> String
        if let provider = options.tokenProvider {
            fetchToken = { try await provider(tokenApp) }
        } else {
            let alias = String(endpoint.app.split(separator: "/").last ?? "")
            let lifetime = max(1, Int(options.tokenLifetime.inSeconds.rounded(.up)))
            fetchToken = { [self] in try await realtimeToken(alias: alias, lifetimeSeconds: lifetime) }
        }
        let session = RealtimeSession<Output>(
            connector: webSocketConnector,
            route: .init(url: url, headers: [(name: "User-Agent", value: configuration.userAgent)], fetchToken: fetchToken),
            options: options, caBundlePath: options.caBundlePath, decode: decode)
        try await session.start()
        return RealtimeConnection(endpointID: endpoint.full, session: session, maximumInlineFileBytes: options.maximumInlineFileBytes)
    }

    /// `owner/alias[/sub]` and the realtime path, which is not repeated when the id already ends with it (fal-js's rule).
    package static func realtimeApp(_ id: String, path: String?) -> String {
        if let path { return id + "/" + path.drop(while: { $0 == "/" }) }
        return id.hasSuffix("/realtime") ? id : id + "/realtime"
    }

    /// `wss://fal.run/{app}[?max_buffering=N]` (`ws://` when the run host is plain HTTP, as the emulator's is).
    package func realtimeURL(_ app: String, maxBuffering: Int?) throws(FalError) -> URL {
        guard var components = URLComponents(string: configuration.hosts.run + "/" + app) else {
            throw FalError.configuration("cannot build a realtime URL from \(configuration.hosts.run) and \(app)")
        }
        switch components.scheme?.lowercased() {
        case "https": components.scheme = "wss"
        case "http": components.scheme = "ws"
        default: throw FalError.configuration("the run host \(configuration.hosts.run) is not http(s)")
        }
        if let maxBuffering { components.queryItems = [URLQueryItem(name: "max_buffering", value: String(maxBuffering))] }
        guard let url = components.url else { throw FalError.configuration("cannot build a realtime URL for \(app)") }
        return url
    }

    /// `url` with `fal_jwt_token` first in its query, as fal-js builds it.
    package static func realtimeURL(_ url: URL, token: String) -> URL {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url }
        var items = components.queryItems ?? []
        items.removeAll { $0.name == "fal_jwt_token" }
        items.insert(URLQueryItem(name: "fal_jwt_token", value: token), at: 0)
        components.queryItems = items
        return components.url ?? url
    }

    /// A short-lived token for `alias` from fal's token service (`POST {rest}/tokens/`), with the client's key,
    /// or through its proxy in proxy mode: an app with a proxy streams without holding a key.
    package func realtimeToken(alias: String, lifetimeSeconds: Int) async throws(FalError) -> String {
        let body = Data(#"{"allowed_apps":[\#(String(decoding: try FalJSON.encode(alias), as: UTF8.self))],"token_expiration":\#(lifetimeSeconds)}"#.utf8)
        var request = FalRequest(method: "POST", url: configuration.hosts.rest + "/tokens/", body: .data(body))
        request.headers.set("Content-Type", "application/json")
        request.headers.set("Accept", "application/json")
        let response = try await send(request)
        switch try? JSONDecoder().decode(JSONValue.self, from: response.body) {
        case .string(let token)?: return token
        case .object(let object)?:
            // Older proxies wrapped the token as `{"detail": token}`; fal-js still accepts that.
            if case .string(let token)? = object["detail"] { return token }
        default: break
        }
        throw FalError.decoding(path: "", message: "fal's token service did not answer with a token string")
    }
}

extension EndpointClient {
    /// Opens a realtime connection to this endpoint: `send` inputs, read `outputs`.
    ///
    /// - Parameters:
    ///   - throttle: the shortest time between inputs on the wire (128 ms by default; `.zero` for none). Only
    ///     the latest input waits; the last input of a burst is always sent.
    ///   - maxBuffering: fal's `max_buffering` (1...60).
    ///   - path: the realtime path, when the app serves it elsewhere than `/realtime`.
    ///   - tokenProvider: where tokens come from, e.g. the app's own server; by default fal's token service
    ///     with the client's key, or the client's proxy.
    public func realtime(
        throttle: Duration = .milliseconds(128), maxBuffering: Int? = nil, path: String? = nil,
        tokenProvider: RealtimeTokenProvider? = nil
    ) async throws(FalError) -> RealtimeConnection<Endpoint.Input, Endpoint.Output> {
        try await realtime(options: RealtimeOptions(throttle: throttle, maxBuffering: maxBuffering, path: path, tokenProvider: tokenProvider))
    }

    /// Opens a realtime connection to this endpoint with every option spelled out.
    public func realtime(options: RealtimeOptions) async throws(FalError) -> RealtimeConnection<Endpoint.Input, Endpoint.Output> {
        try await client.realtime(Endpoint.id, input: Endpoint.Input.self, output: Endpoint.Output.self, options: options)
    }
}
