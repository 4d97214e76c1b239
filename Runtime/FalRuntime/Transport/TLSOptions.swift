/// How a transport verifies fal's servers and which HTTP version it asks for.
///
/// The defaults are what production needs: the platform's trust store, and HTTP/2 over TLS where the server
/// offers it (ALPN), so concurrent requests to one host share one connection. Tests and private deployments
/// (an emulator behind a TLS proxy with its own CA) set `trustedCertificatesPath`; measurements set
/// `httpVersion`. Certificate verification itself cannot be turned off.
public struct TLSOptions: Sendable, Equatable {
    /// The HTTP version a transport asks for.
    public enum HTTPVersion: Sendable, Equatable {
        /// HTTP/2 over TLS when the server agrees to it through ALPN, HTTP/1.1 otherwise (and always for `http://`).
        case automatic
        /// HTTP/1.1 only: one request at a time per connection (for comparison; not faster anywhere).
        case http1_1
    }

    /// A PEM file of CA certificates to trust instead of the system's store (nil: the system's store).
    /// It replaces the store for this transport: to trust both, append the system bundle to the file.
    public var trustedCertificatesPath: String?
    /// The HTTP version to ask for; `.automatic` unless measuring.
    public var httpVersion: HTTPVersion

    /// Options trusting `trustedCertificatesPath` (nil: the system's store) and asking for `httpVersion`.
    public init(trustedCertificatesPath: String? = nil, httpVersion: HTTPVersion = .automatic) {
        self.trustedCertificatesPath = trustedCertificatesPath
        self.httpVersion = httpVersion
    }
}
