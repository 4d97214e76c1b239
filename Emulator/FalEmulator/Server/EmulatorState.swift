import FalCore
import Foundation
import Synchronization

/// Everything the routes share: loaded endpoints, jobs, files, webhooks, controls and the request log.
final class EmulatorState: Sendable {
    let configuration: FalEmulator.Configuration
    let catalog: EndpointCatalog
    let jobs: JobStore
    let files: FileStore
    let log: RequestLog
    let signer: WebhookSigner
    let webhooks: WebhookDispatcher
    let documents = DocumentOverrides()
    /// Realtime tokens issued by `POST /rest/tokens/`, and the open realtime WebSockets.
    let tokens = RealtimeTokens()
    let realtime: RealtimeHub
    /// Images realtime results carry inline (`sync_mode`), rendered once per image while kept.
    let renderedImages = RenderedImageCache()
    /// The controls and how many times they were set: failure attempts are counted per setting.
    private let controlsBox: Mutex<(controls: EmulatorControls, generation: Int)>
    private let baseBox = Mutex<String>("")
    private let stopping = Mutex(false)

    init(configuration: FalEmulator.Configuration, catalog: EndpointCatalog) {
        self.configuration = configuration
        self.catalog = catalog
        jobs = JobStore(capacity: configuration.maxStoredRequests, capacityBytes: configuration.maxStoredRequestBytes)
        files = FileStore(
            capacityBytes: configuration.maxStoredFileBytes,
            parentDirectory: configuration.uploadsParentDirectory ?? FileManager.default.temporaryDirectory)
        log = RequestLog(capacity: configuration.requestLogCapacity)
        signer = WebhookSigner()
        webhooks = WebhookDispatcher(
            signer: signer, userID: configuration.webhookUserID, policy: configuration.webhookRetry,
            maxPendingBytes: configuration.maxPendingWebhookBytes)
        controlsBox = Mutex((configuration.controls, 0))
        realtime = RealtimeHub(maxConnections: configuration.realtimeMaxConnections)
    }

    /// Setting the controls (even to the same value) starts a new count of attempts toward `failure.times`.
    var controls: EmulatorControls {
        get { controlsBox.withLock { $0.controls } }
        set { controlsBox.withLock { $0 = (newValue, $0.generation + 1) } }
    }

    var controlsAndGeneration: (EmulatorControls, Int) { controlsBox.withLock { ($0.controls, $0.generation) } }

    /// `http://host:port`, known once the server is bound. Every URL handed out starts with it.
    var base: String {
        get { baseBox.withLock { $0 } }
        set { baseBox.withLock { $0 = newValue } }
    }

    /// Set when the emulator stops, so open streams and emulated waits end instead of holding shutdown.
    var isStopping: Bool {
        get { stopping.withLock { $0 } }
        set { stopping.withLock { $0 = newValue } }
    }

    /// Sleeps like `Task.sleep`, in slices, throwing `CancellationError` once the emulator is stopping.
    func wait(_ duration: Duration) async throws {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            if isStopping { throw CancellationError() }
            try await Task.sleep(for: min(.milliseconds(50), deadline - ContinuousClock.now))
        }
    }

    /// Whether an `Authorization` header carries fal's key: `Key <key>`, matching the configured key when
    /// there is one. Every route that needs the key, and the realtime handshake, ask here.
    func acceptsKey(_ header: String) -> Bool {
        guard header.count > 4, header.prefix(4).lowercased() == "key " else { return false }
        let key = header.dropFirst(4).trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else { return false }
        return configuration.apiKey.map { $0 == key } ?? true
    }

    var queueBase: String { base + "/queue" }
    var cdnBase: String { base + "/cdn" }

    var fabricator: OutputFabricator { OutputFabricator(generatedFilesURL: cdnBase + "/files/generated") }

    /// The output a finished job returns: its fabricated result, or fal's error for the job's outcome.
    func outcome(of job: QueueJob) -> Result<JSONValue, WebhookDispatcher.DeliveryError> {
        if job.cancelledAt != nil {
            return .failure(.init(status: 400, body: .object(["detail": .string(Self.cancelledMessage)])))
        }
        if job.timesOutBeforeStart {
            return .failure(.init(status: 504, body: .object(["detail": .string(Self.startTimeoutMessage)])))
        }
        switch job.outcome {
        case .invalidInput(let issues):
            return .failure(.init(status: 422, body: Reply.validationBody(issues)))
        case .injectedError:
            return .failure(.init(status: 500, body: .object(["detail": .string(Self.injectedErrorMessage)])))
        case .success:
            return .success(jobs.result(for: job) { job in
                guard let endpoint = catalog.endpoint(job.endpointID) else { return .object([:]) }
                return fabricator.fabricate(endpoint.endpoint, input: job.input)
            })
        }
    }

    static let injectedErrorMessage = "Emulated runner failure (injected with X-Fal-Emulator-Failure: error)"
    static let injectedErrorType = "runner_error"
    static let cancelledMessage = "Request was cancelled"
    static let startTimeoutMessage = "Request timed out before it started (X-Fal-Request-Timeout)"
}
