import FalCore
import Foundation

/// fal's Platform API (`api.fal.ai/v1`): model search, pricing and cost estimates, usage and analytics, billing
/// events, the requests made to an endpoint, and deleting a request's stored payloads.
///
/// Reached through a client, so it shares the client's key, hosts (`FalHosts.api`), transport, retries and
/// `FalError`:
///
///     let fal = FalClient()
///     for try await model in fal.platform.models(search: "flux") { print(model.endpointID) }
///     let prices = try await fal.platform.pricing(endpointIDs: ["fal-ai/flux/dev"])
///
/// The operations are generated from fal's OpenAPI document of the Platform API (`schemas/platform/`) by
/// `fal-codegen platform`; this type holds what they share: addressing, query encoding and fal's error body.
public struct FalPlatform: Sendable {
    /// The client whose configuration and transport every Platform API request uses.
    public let client: FalClient

    /// The Platform API of `client`.
    public init(client: FalClient) { self.client = client }

    /// Sends one Platform API request and decodes its 2xx answer as `Response`.
    ///
    /// `path` is relative to `FalHosts.api` and already percent-encoded (see `PlatformQuery.pathSegment`).
    package func send<Response: Decodable>(
        _ method: String, _ path: String, query: PlatformQuery = PlatformQuery(), headers: [(String, String)] = [],
        body: Data? = nil, as type: Response.Type = Response.self
    ) async throws(FalError) -> Response {
        let answer = try await perform(method, path, query: query, headers: headers, body: body, accept: "application/json")
        return try FalJSON.decode(Response.self, from: answer)
    }

    /// Sends one Platform API request whose 2xx answer is not JSON (a file, CSV, metrics text): its bytes, up to
    /// `FalConfiguration.responseBodyLimit`.
    package func sendForBytes(
        _ method: String, _ path: String, query: PlatformQuery = PlatformQuery(), headers: [(String, String)] = [], body: Data? = nil
    ) async throws(FalError) -> Data {
        try await perform(method, path, query: query, headers: headers, body: body, accept: "*/*")
    }

    /// Sends one Platform API request whose 2xx answer has no body (204).
    package func sendForNoContent(
        _ method: String, _ path: String, query: PlatformQuery = PlatformQuery(), headers: [(String, String)] = [], body: Data? = nil
    ) async throws(FalError) {
        _ = try await perform(method, path, query: query, headers: headers, body: body, accept: "application/json")
    }

    private func perform(
        _ method: String, _ path: String, query: PlatformQuery, headers: [(String, String)], body: Data?, accept: String
    ) async throws(FalError) -> Data {
        try query.validated()
        var request = FalRequest(method: method, url: client.configuration.hosts.api + path + query.encoded)
        request.headers.set("Accept", accept)
        for (name, value) in headers { request.headers.set(name, value) }
        if let body {
            request.headers.set("Content-Type", "application/json")
            request.body = .data(body)
        }
        return try await client.send(request, failure: PlatformErrorMapping.error(from:)).body
    }

    /// `value` as a JSON request body.
    package func encode<Body: Encodable>(_ value: Body) throws(FalError) -> Data {
        try FalJSON.encode(value)
    }
}

extension FalClient {
    /// fal's Platform API on this client's key, hosts and transport: `fal.platform.models(search: "flux")`.
    public var platform: FalPlatform { FalPlatform(client: self) }
}
