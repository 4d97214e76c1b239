import Foundation
import Logging

extension FalClient {
    /// Sends `request` with fal's retry rules and redirect handling; non-2xx answers that are not retried
    /// become `FalError` through `failure` (fal's general mapping unless the caller knows better).
    func send(
        _ request: FalRequest, failure: (HTTPResponse) -> FalError = FalErrorMapping.error(from:)
    ) async throws(FalError) -> HTTPResponse {
        try await retrying(request, failure: failure) { () async throws -> AttemptResult<HTTPResponse> in
            let response = try await self.sendFollowingRedirects(request)
            return response.isSuccess ? .success(response) : .refused(response)
        }
    }

    /// Sends `request` and returns the open response (for server-sent events) once a 2xx head arrived.
    func openStream(_ request: FalRequest) async throws(FalError) -> HTTPStreamingResponse {
        try await retrying(request, failure: FalErrorMapping.error(from:)) { () async throws -> AttemptResult<HTTPStreamingResponse> in
            let response = try await self.transport.stream(try self.prepare(request))
            if (200..<300).contains(response.head.status) { return .success(response) }
            return .refused(HTTPResponse(status: response.head.status, headers: response.head.headers, body: try await Self.errorBody(response.body)))
        }
    }

    /// Error bodies are read up to this many bytes, then the transfer is dropped: a server sending an
    /// endless error page must not keep the client reading (or buffering) forever.
    static let errorBodyLimit = 1 << 20

    /// The first `errorBodyLimit` bytes of a refused stream's body; leaving the loop aborts the rest.
    static func errorBody(_ body: HTTPBodyStream) async throws -> Data {
        var collected = Data()
        for try await chunk in body {
            collected.append(chunk.prefix(errorBodyLimit - collected.count))
            if collected.count >= errorBodyLimit { break }
        }
        return collected
    }

    enum AttemptResult<Value> {
        case success(Value)
        /// A non-2xx answer: retried when fal's rules say so, otherwise mapped to `FalError`.
        case refused(HTTPResponse)
    }

    /// One loop for fal's retry rules: retryable answers and transport failures are tried again with
    /// backoff; timeouts are final when the caller set a server-side timeout.
    ///
    /// No double billing: a request that starts work (submit, run) is sent again only when it provably
    /// did not reach fal's application: the connection was never made (refused, name not resolved,
    /// connect timeout), or fal answered 429 or an ingress 503 (refused before processing). After a
    /// timeout, a reset or any other failure once the request may have been sent, it is not resent,
    /// unless the caller opted in with `RetryPolicy.resendsAmbiguousRequests`.
    private func retrying<Value>(
        _ request: FalRequest, failure: (HTTPResponse) -> FalError, _ attempt: () async throws -> AttemptResult<Value>
    ) async throws(FalError) -> Value {
        let policy = configuration.retry
        var number = 1
        while true {
            let retryDelay: Duration
            do {
                switch try await attempt() {
                case .success(let value):
                    return value
                case .refused(let response):
                    let ambiguous = request.startsWork && !policy.resendsAmbiguousRequests
                    let retry = ambiguous ? policy.refusedBeforeProcessing(response) : policy.shouldRetry(response)
                    if ambiguous, !retry, policy.shouldRetry(response) {
                        logNotResent(request, reason: Self.retryReason(response, policy: policy))
                    }
                    guard number < policy.maxAttempts, retry else { throw failure(response) }
                    retryDelay = policy.delay(afterAttempt: number, retryAfter: RetryPolicy.retryAfter(response))
                    logRetry(request, attempt: number, delay: retryDelay, reason: Self.retryReason(response, policy: policy))
                }
            } catch let failure as TransportFailure {
                let mayResend = failure.requestNotSent || !request.startsWork || policy.resendsAmbiguousRequests
                let retryable = failure.kind != .limit && failure.kind != .tls && !(failure.isTimeout && request.hasServerTimeout)
                if !mayResend, retryable { logNotResent(request, reason: failure.description) }
                guard number < policy.maxAttempts, mayResend, retryable else { throw FalErrorMapping.error(from: failure) }
                retryDelay = policy.delay(afterAttempt: number)
                logRetry(request, attempt: number, delay: retryDelay, reason: failure.description)
            } catch {
                throw FalErrorMapping.error(from: error)
            }
            do { try await Task.sleep(for: retryDelay) } catch { throw FalError.cancelled(requestID: nil) }
            number += 1
        }
    }

    /// Follows up to 5 redirects itself so the key can be dropped when a redirect leaves fal's hosts.
    private func sendFollowingRedirects(_ request: FalRequest) async throws -> HTTPResponse {
        var current = request
        for _ in 0..<6 {
            let response = try await transport.send(try prepare(current))
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["Location"],
                  let target = URL(string: location, relativeTo: URL(string: current.url))?.absoluteString
            else { return response }
            if response.status == 303 || ((response.status == 301 || response.status == 302) && current.method == "POST") {
                current.method = "GET"
                current.body = .empty
            }
            current.url = target
            logger?.debug("following a redirect", metadata: [
                "fal.status": "\(response.status)", "fal.url": "\(Self.loggable(target))"])
            if case .falKey = current.authorization, !configuration.hosts.acceptsKey(target) {
                current.authorization = .none
                logger?.debug("the redirect leaves fal's hosts: the key is not sent there", metadata: ["fal.url": "\(Self.loggable(target))"])
            }
            if case .bearer = current.authorization, URL(string: target)?.host != URL(string: request.url)?.host {
                current.authorization = .none
            }
        }
        throw FalError.http(status: 310, detail: "too many redirects", errorType: nil, requestID: nil)
    }

    /// The app's own headers for its proxy (`FalConfiguration.proxyHeaders`).
    private func addProxyHeaders(to headers: inout HTTPHeaders) {
        for (name, value) in configuration.proxyHeaders?() ?? [:] { headers.set(name, value) }
    }

    /// Addresses and authorises a request: proxy mode, the key for fal's own hosts only, timeouts.
    func prepare(_ request: FalRequest) throws(FalError) -> HTTPRequest {
        // The URL goes on the request line, and many come from fal's answers (upload URLs, status URLs, redirects):
        // a control character there could end the line early (found by ClientFuzz: an `upload_url` holding a CR
        // reached the transport). Transports may or may not refuse it; the client does, before any I/O.
        if request.url.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw FalError.transport(kind: .other, message: "refusing to send a request to a URL that contains a control character (CR, LF, NUL, …)", code: 0)
        }
        var headers = request.headers
        headers.set("User-Agent", configuration.userAgent)
        var url = request.url
        switch request.authorization {
        case .falKey:
            guard configuration.hosts.acceptsKey(request.url) else {
                // Defence in depth: the key must never leave fal's configured hosts.
                throw FalError.configuration("refusing to send credentials to a host that is not a configured fal host")
            }
            if let proxy = configuration.proxyURL {
                headers.set("x-fal-target-url", request.url)
                url = proxy
                addProxyHeaders(to: &headers)
            } else if let credentials = configuration.credentials {
                headers.set("Authorization", credentials.authorizationHeaderValue)
            } else {
                throw FalError.configuration("no fal credentials: set FAL_KEY (or FAL_KEY_ID and FAL_KEY_SECRET), pass FalCredentials, or configure a proxy URL")
            }
        case .bearer(let value):
            if let proxy = configuration.proxyURL {
                // Proxy mode holds no storage token: CDN uploads go through the proxy, which authorises them.
                guard configuration.hosts.isUnderCDN(request.url) else {
                    throw FalError.configuration("in proxy mode, uploads go only to the configured CDN host (\(configuration.hosts.cdn)) through the proxy")
                }
                headers.remove("Authorization")
                headers.set("x-fal-target-url", request.url)
                url = proxy
                addProxyHeaders(to: &headers)
            } else {
                headers.set("Authorization", value)
            }
        case .none:
            headers.remove("Authorization")
        }
        // Defence in depth before any I/O: callers validate their inputs, and nothing may reach the wire that
        // ends a header line early (the key itself is checked too, without being named).
        for field in headers.fields where !HTTPHeaders.isValidValue(field.value) || !HTTPHeaders.isValidName(field.name) {
            let name = HTTPHeaders.sameName(field.name, "Authorization") ? "Authorization (the credentials)" : field.name
            throw FalError.configuration("refusing to send header \(name.debugDescription): names must be HTTP tokens and values must not contain CR, LF or NUL")
        }
        let timeout: Duration? = request.timeout ?? configuration.requestTimeout
        var prepared = HTTPRequest(
            method: request.method, url: url, headers: headers, body: request.body, timeout: timeout,
            connectTimeout: configuration.connectTimeout, idleTimeout: configuration.idleTimeout,
            responseBodyLimit: configuration.responseBodyLimit)
        prepared.sendsAtMostOnce = request.startsWork && !configuration.retry.resendsAmbiguousRequests
        return prepared
    }
}
