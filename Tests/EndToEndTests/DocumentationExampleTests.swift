import FalEmulator
import FalSDK
import Foundation
import Logging
import Synchronization
import Testing

/// The code of the DocC articles (Runtime/FalRuntime/FalRuntime.docc), run against the emulator, so an
/// article cannot show an API that does not compile or does not behave as it says. Keep them in step.
@Suite("documentation examples")
struct DocumentationExampleTests {
    // GettingStarted.md, "Call an endpoint"; FilesAndUploads.md, "Files coming out".
    @Test("Getting started: validate, subscribe with updates, chain an output into another endpoint")
    func gettingStarted() async throws {
        try await EmulatedFal.with { fal, _ in
            let input = FastSDXLImageToImage.Input(imageURL: "https://example.com/cat.png", prompt: "a cat, watercolor")
            try input.validate()
            let updates = Collected<QueueStatus>()
            let output = try await fal.fastSDXLImageToImage.subscribe(input, logs: true) { update in
                updates.append(update)   // the article prints it
            }
            #expect(!output.images.isEmpty)
            #expect(updates.values.last?.isCompleted == true)

            let second = try await fal.illusionDiffusion.subscribe(
                .init(imageURL: FalFile(output.images[0]), prompt: "a cat made of spirals"))
            #expect(second.image.url.hasPrefix("http://127.0.0.1"))
        }
    }

    // RealtimeConnections.md: the camera-style loop, over the emulator's realtime protocol (tokens, msgpack, bytes inline).
    @Test("Realtime: frames in through the throttle, typed results with their bytes out, close")
    func realtime() async throws {
        try await EmulatedFal.with { fal, _ in
            let connection = try await fal.fastSDXLImageToImage.realtime(throttle: .milliseconds(50))
            let viewer = Task { () -> [String] in
                var prompts: [String] = []
                for try await output in connection.outputs {
                    #expect(output.images[0].content?.starts(with: [0x89, 0x50, 0x4E, 0x47]) == true, "a PNG's bytes")
                    #expect(output.images[0].url.hasPrefix("data:image/png;base64,"))
                    prompts.append(output.prompt)
                    if prompts.count == 5 { break }
                }
                return prompts
            }
            for n in 0..<5 {  // slower than the throttle: every frame is sent
                let frame = Data([0xFF, 0xD8, 0xFF, UInt8(n)])
                try await connection.send(.init(imageURL: .data(frame, contentType: "image/jpeg"), prompt: "a cat \(n)", syncMode: true))
                try await Task.sleep(for: .milliseconds(80))
            }
            #expect(try await viewer.value == (0..<5).map { "a cat \($0)" })

            // Thirty frames faster than the throttle: the last one is always answered.
            let last = Task { () -> String? in
                var latest: String?
                for try await output in connection.outputs {
                    latest = output.prompt
                    if latest == "burst 29" { break }
                }
                return latest
            }
            for n in 0..<30 {
                try await connection.send(.init(imageURL: .data(Data([0xFF, 0xD8]), contentType: "image/jpeg"), prompt: "burst \(n)", syncMode: true))
            }
            #expect(try await last.value == "burst 29")
            await connection.close()
        }
    }

    // QueueAndSubscribe.md, "Step by step".
    @Test("Queue and subscribe: submit, status, status updates, result, cancel")
    func stepByStep() async throws {
        try await EmulatedFal.with { fal, _ in
            let submission = try await fal.illusionDiffusion.submit(EmulatedFal.illusion)
            let id = submission.requestID
            _ = try await fal.illusionDiffusion.status(requestID: id, logs: true)
            var last: QueueStatus?
            for try await update in fal.illusionDiffusion.statusUpdates(requestID: id) { last = update }
            #expect(last?.isCompleted == true)
            let output = try await fal.illusionDiffusion.result(requestID: id)
            #expect(!output.image.url.isEmpty)
            // Cancelling a finished request is refused by fal (400 ALREADY_COMPLETED), as the article implies.
            await #expect(throws: FalError.self) { try await fal.illusionDiffusion.cancel(requestID: id) }
        }
    }

    // Errors.md: the catch clauses, on an input that breaks a rule before any I/O.
    @Test("Errors: typed catch clauses see the validation issues with field paths")
    func errors() async throws {
        try await EmulatedFal.with { fal, emulator in
            let input = IllusionDiffusion.Input(
                imageURL: "https://example.com/a.png", prompt: "p", imageSize: .custom(.init(width: 1001, height: 512)))
            var caught: [String] = []
            do throws(FalError) {
                _ = try await fal.illusionDiffusion.subscribe(input)
            } catch .validation(let issues) {
                for issue in issues { caught.append(issue.description) }
            } catch .http(let status, let detail, let errorType, let requestID) {
                Issue.record("unexpected HTTP \(status) \(detail) \(errorType ?? "") \(requestID ?? "")")
            } catch .timeout(let requestID), .cancelled(let requestID) {
                Issue.record("unexpected stop \(requestID ?? "before submit")")
            } catch {
                Issue.record("unexpected \(error)")
            }
            #expect(caught == ["image_size.width: 1001 is not a multiple of 8"])
            #expect(emulator.requestLog.total == 0, "nothing may be sent: \(emulator.requestLog.entries)")
        }
    }

    // FilesAndUploads.md, "Uploading directly"; GettingStarted.md, "See what the client does".
    @Test("Files and uploads: upload bytes and a local file; the logger sees the uploads")
    func uploads() async throws {
        try await EmulatedFal.with { fal, _ in
            let records = Collected<String>()
            var configuration = fal.configuration
            configuration.logger = Logger(label: "fal") { _ in MessageCollector(records: records) }
            configuration.logger?.logLevel = .debug
            let logged = FalClient(configuration: configuration)

            let pngData = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            let first = try await logged.storage.upload(pngData, contentType: "image/png", fileName: "a.png")
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("doc-\(UUID().uuidString).png").path
            #expect(FileManager.default.createFile(atPath: path, contents: pngData))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let second = try await logged.storage.upload(fileAt: path)
            #expect(first.hasPrefix("http://127.0.0.1") && second.hasPrefix("http://127.0.0.1"))
            #expect(records.values.filter { $0 == "uploading" }.count == 2, "\(records.values)")
        }
    }

    // Webhooks.md, "Verifying a delivery": a delivery nobody signed is rejected before it is decoded.
    @Test("Webhooks: an unsigned delivery is rejected with the reason")
    func webhooks() async throws {
        try await EmulatedFal.with { fal, _ in
            let verifier = fal.webhookVerifier()
            let body = Data(#"{"request_id":"r","status":"OK","payload":{}}"#.utf8)
            do throws(FalError) {
                let delivery = try await verifier.verify(IllusionDiffusion.self, headers: [:], body: body)
                Issue.record("an unsigned delivery was accepted: \(delivery.requestID)")
            } catch {
                guard case .webhookRejected(let reason) = error else { Issue.record("unexpected \(error)"); return }
                #expect(reason.contains("X-Fal-Webhook-Request-Id"))
            }
        }
    }
}

/// Values gathered from callbacks that may run on any thread.
private final class Collected<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}

/// Keeps each log record's message, for the uploads example.
private struct MessageCollector: LogHandler {
    let records: Collected<String>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { records.append("\(event.message)") }
}
