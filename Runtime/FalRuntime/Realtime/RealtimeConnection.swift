import Foundation

/// A realtime connection to one fal endpoint: inputs go up as they come (throttled, keeping the latest),
/// results come back on `outputs`.
///
///     let connection = try await fal.fastSDXLImageToImage.realtime(throttle: .milliseconds(50))
///     Task { for try await output in connection.outputs { show(output.images[0]) } }
///     for await frame in camera.frames {
///         try await connection.send(FastSDXLImageToImage.Input(imageURL: .data(frame, contentType: "image/jpeg"), prompt: "a cat"))
///     }
///     await connection.close()
///
/// Each input is validated before it is sent; files given as bytes travel inside the frame as `data:` URIs,
/// never through a storage upload. fal closes a connection that had no input for a while: that is no error,
/// the next input opens a new one. A lost connection is reported on `outputs`, and the next input reconnects,
/// backing off from 0.1 s up to 5 s while connecting fails.
public final class RealtimeConnection<Input: Encodable & Validatable & Sendable, Output: Sendable>: Sendable {
    /// The endpoint id, e.g. `fal-ai/fast-sdxl/image-to-image`.
    public let endpointID: String
    let session: RealtimeSession<Output>
    private let encoder: MessagePackEncoder

    init(endpointID: String, session: RealtimeSession<Output>, maximumInlineFileBytes: Int) {
        self.endpointID = endpointID
        self.session = session
        var encoder = MessagePackEncoder()
        encoder.userInfo[FalFile.inlineEncodingKey] = maximumInlineFileBytes
        self.encoder = encoder
    }

    deinit {
        let session = self.session
        Task { await session.close() }
    }

    /// Validates `input` and hands it to the connection: sent at once, or kept as the latest input until the
    /// throttle interval has passed (a newer input replaces it). Throws `FalError.validation` for an input fal
    /// would refuse, and `FalError.cancelled` once the connection was closed; failures on the wire are
    /// reported on `outputs` instead, so a camera loop is not ended by a network blip.
    public func send(_ input: Input) async throws(FalError) {
        try input.validate()
        let frame: Data
        do { frame = try encoder.encode(input) } catch {
            throw FalError.configuration("the input cannot be encoded for a realtime frame: \(error)")
        }
        try await session.send(frame)
    }

    /// Results in arrival order, each decoded as the endpoint's `Output`. An error fal reports (or a lost
    /// connection) is thrown from the iteration as `FalError`, with fal's request id when it gave one; the
    /// connection goes on, and iterating `outputs` again continues with the next result. The sequence ends
    /// when the connection is closed. Read it from one task at a time.
    public var outputs: RealtimeOutputs<Output> { RealtimeOutputs(session: session) }

    /// Closes the socket (with a close frame) and ends `outputs`; later `send`s throw `FalError.cancelled`.
    public func close() async { await session.close() }
}

/// The results of a `RealtimeConnection`, as an `AsyncSequence` that throws `FalError`.
public struct RealtimeOutputs<Output: Sendable>: AsyncSequence, Sendable {
    /// Each result is the endpoint's output.
    public typealias Element = Output
    /// Iterating throws only `FalError`.
    public typealias Failure = FalError
    let session: RealtimeSession<Output>

    /// Pulls the next result from the connection.
    public struct AsyncIterator: AsyncIteratorProtocol {
        /// Each result is the endpoint's output.
        public typealias Element = Output
        /// `next()` throws only `FalError`.
        public typealias Failure = FalError
        let session: RealtimeSession<Output>

        /// The next result; throws the next error; nil once the connection was closed.
        public mutating func next() async throws(FalError) -> Output? {
            switch await session.next() {
            case .success(let output)?: return output
            case .failure(let error)?: throw error
            case nil: return nil
            }
        }

    }

    /// An iterator over the connection's results.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(session: session) }
}
