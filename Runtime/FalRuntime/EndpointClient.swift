/// The typed face of one endpoint on a client: `fal.illusionDiffusion.subscribe(...)`.
/// Generated code adds one `FalClient` property per endpoint returning this; every method is a thin
/// typed wrapper over the client's generic queue, run and storage functions.
public struct EndpointClient<Endpoint: FalEndpoint>: Sendable {
    public let client: FalClient

    public init(client: FalClient) { self.client = client }

    /// fal's endpoint id, e.g. `fal-ai/illusion-diffusion`.
    public var id: String { Endpoint.id }
}

extension FalClient {
    /// The typed client of any endpoint, generated or hand-declared.
    public func endpoint<Endpoint: FalEndpoint>(_ endpoint: Endpoint.Type) -> EndpointClient<Endpoint> {
        EndpointClient(client: self)
    }
}
