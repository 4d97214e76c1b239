/// One fal endpoint, as the generator describes it: its id and its typed input and output.
/// Generated code declares one conforming enum per endpoint (e.g. `IllusionDiffusion`), whose
/// nested types (`IllusionDiffusion.Input`, `IllusionDiffusion.ImageSize`) keep names from colliding.
public protocol FalEndpoint: Sendable {
    /// The request body type, e.g. `IllusionDiffusion.Input`: validated, then encoded with fal's JSON keys.
    associatedtype Input: FalInput
    /// The response body type that `subscribe`, `run`, `result` and webhook deliveries decode.
    associatedtype Output: FalOutput
    /// fal's endpoint id, e.g. `fal-ai/illusion-diffusion`.
    static var id: String { get }
}

/// A request body: encodable with fal's JSON keys and able to check itself before any I/O.
public protocol FalInput: Encodable, Sendable, Validatable {}

/// A response body. Decoding is tolerant of enum values the server adds later.
public protocol FalOutput: Decodable, Sendable {}

/// The namespaces an endpoint id may start with (`workflows/owner/alias`, `comfy/owner/alias`): queue
/// URLs keep them in front of owner/alias. The client and the emulator split ids with the same list.
package let falEndpointNamespaces: Set<Substring> = ["workflows", "comfy"]
