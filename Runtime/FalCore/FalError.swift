/// Every failure the SDK reports, as one type a caller can switch over.
/// No case ever carries the API key: messages are built from server bodies and local facts only.
public enum FalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Local `validate()` failures, or fal's 422 `detail[]` mapped to field paths. Nothing was sent
    /// when the violations were found locally.
    case validation([ValidationIssue])
    /// A non-success HTTP answer: status, fal's `detail` (or the body), `x-fal-error-type`, `x-fal-request-id`.
    case http(status: Int, detail: String, errorType: String?, requestID: String?)
    /// The request ran and finished with an error (`COMPLETED` with `error`).
    case requestFailed(requestID: String, message: String, errorType: String?)
    /// The client-side deadline passed; the remote request (if any) was asked to cancel.
    case timeout(requestID: String?)
    /// The Swift task or the remote request was cancelled.
    case cancelled(requestID: String?)
    /// The transfer itself failed below HTTP. `kind` says what kind of failure it was, in terms of no
    /// particular transport; `code` is the transport's own code (libcurl's `CURLcode`, `URLError.Code`'s
    /// raw value), kept as detail for diagnostics.
    case transport(kind: TransportErrorKind, message: String, code: Int)
    /// The answer did not match the expected type; `path` is the JSON path of the offending value.
    case decoding(path: String, message: String)
    /// A webhook delivery failed verification (bad or missing signature headers, stale timestamp,
    /// unknown key, tampered body); its payload must not be trusted.
    case webhookRejected(reason: String)
    /// Misconfiguration detected before any I/O (missing credentials, bad URL, unreadable file).
    case configuration(String)

    /// One line for logs and messages: the failure with fal's detail and the request id where known; never the key.
    public var description: String {
        switch self {
        case .validation(let issues):
            return "invalid input: " + issues.map(\.description).joined(separator: "; ")
        case .http(let status, let detail, let errorType, let requestID):
            var text = "HTTP \(status)"
            if let errorType { text += " (\(errorType))" }
            if !detail.isEmpty { text += ": \(detail)" }
            if let requestID { text += " [request \(requestID)]" }
            return text
        case .requestFailed(let requestID, let message, let errorType):
            return "request \(requestID) failed" + (errorType.map { " (\($0))" } ?? "") + ": \(message)"
        case .timeout(let requestID):
            return "timed out" + (requestID.map { " waiting for request \($0)" } ?? "")
        case .cancelled(let requestID):
            return "cancelled" + (requestID.map { " (request \($0))" } ?? "")
        case .transport(let kind, let message, let code):
            return "transport error (\(kind.rawValue), code \(code)): \(message)"
        case .decoding(let path, let message):
            return "could not decode response at \(path.isEmpty ? "<root>" : path): \(message)"
        case .webhookRejected(let reason):
            return "webhook rejected: \(reason)"
        case .configuration(let message):
            return "configuration error: \(message)"
        }
    }
}

/// What kind of transfer failure a `FalError.transport` is, whatever the transport.
public enum TransportErrorKind: String, Sendable, Equatable {
    /// No connection was made (refused, unreachable, name not resolved, connect timeout, TLS handshake):
    /// nothing of the request reached the server.
    case connect
    /// The whole-transfer deadline or the idle timeout passed after the connection was made.
    case timeout
    /// The response broke a limit the client sets (a body or event larger than allowed).
    case limit
    /// The TLS handshake refused the server: its certificate is not trusted (unknown issuer, another name,
    /// expired) or the trust settings could not be read. Nothing of the request was sent, and sending it again
    /// cannot help until the trust configuration or the server changes, so the client does not retry.
    case tls
    /// Anything else (connection reset, protocol error, unreadable upload file).
    case other
}
