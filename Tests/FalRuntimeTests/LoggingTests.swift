import Foundation
import Logging
import Synchronization
import Testing
@testable import FalRuntime

/// Collects what a `Logger` receives, so tests can read levels, messages and metadata.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]

        /// Everything a log sink would write for this record.
        var rendered: String { "\(level) \(message) \(metadata.sorted { $0.key < $1.key })" }
    }

    private let storage = Mutex<[Record]>([])
    var records: [Record] { storage.withLock { $0 } }

    func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "fal-test") { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    func append(_ record: Record) { storage.withLock { $0.append(record) } }

    func records(_ message: String) -> [Record] { records.filter { $0.message == message } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}

@Suite("logging through swift-log")
struct LoggingTests {
    private func client(_ capture: LogCapture, _ change: (inout FalConfiguration) -> Void = { _ in }) -> FalClient {
        var configuration = FakeFal.configuration()
        configuration.logger = capture.logger()
        change(&configuration)
        return FalClient(configuration: configuration)
    }

    /// No record may carry the key, in its message or its metadata.
    private func expectNoKey(_ capture: LogCapture, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!capture.records.isEmpty, sourceLocation: sourceLocation)
        for record in capture.records {
            #expect(!record.rendered.contains(FakeFal.key), "the key was logged: \(record.rendered)", sourceLocation: sourceLocation)
        }
    }

    @Test("silent by default: no configuration has a logger unless one is given")
    func silentByDefault() {
        #expect(FalConfiguration().logger == nil)
        #expect(FalConfiguration(key: "k").logger == nil)
        #expect(FalConfiguration.fromEnvironment(["FAL_KEY": "k"]).logger == nil)
        #expect(FalClient(key: "k").logger == nil)
    }

    @Test("a submit is logged, and each retry with its reason, delay and attempt, at notice; never the key")
    func submitsAndRetries() async throws {
        let capture = LogCapture()
        let model = client(capture).endpoint(TestModel.self)
        let (options, _) = FakeFal.fault("429x2")
        let submission = try await model.submit(TestModel.Input(prompt: "p"), options: options)

        let submitted = capture.records("submitted")
        #expect(submitted.count == 1)
        #expect(submitted.first?.level == .debug)
        #expect(submitted.first?.metadata["fal.request_id"] == submission.requestID)
        #expect(submitted.first?.metadata["fal.endpoint"] == TestModel.id)

        let retries = capture.records("retrying fal request")
        #expect(retries.map(\.metadata["fal.attempt"]) == ["2/10", "3/10"])
        #expect(retries.allSatisfy { $0.level == .notice && $0.metadata["fal.reason"] == "HTTP 429" })
        #expect(retries.allSatisfy { $0.metadata["fal.method"] == "POST" && $0.metadata["fal.delay_ms"].flatMap { Int($0) } != nil })
        expectNoKey(capture)
    }

    @Test("a submit that may have reached fal is logged as not resent")
    func notResentIsLogged() async throws {
        let capture = LogCapture()
        let model = client(capture).endpoint(TestModel.self)
        let (options, _) = FakeFal.fault("resetafterheadx1")
        await #expect(throws: FalError.self) { _ = try await model.submit(TestModel.Input(prompt: "p"), options: options) }
        let notResent = capture.records.filter { $0.message.hasPrefix("not resending") }
        #expect(notResent.count == 1)
        #expect(notResent.first?.level == .notice)
        #expect(capture.records("retrying fal request").isEmpty)
        expectNoKey(capture)
    }

    @Test("subscribe logs the status stream's fallback to polling")
    func streamFallbackIsLogged() async throws {
        let capture = LogCapture()
        let model = client(capture).endpoint(TestModel.self)
        let (options, _) = FakeFal.fault("no-sse")
        _ = try await model.subscribe(TestModel.Input(prompt: "p"), options: options)
        let fallback = capture.records("status stream unavailable, polling instead")
        #expect(fallback.count == 1)
        #expect(fallback.first?.level == .notice)
        #expect(fallback.first?.metadata["fal.request_id"]?.isEmpty == false)
        expectNoKey(capture)
    }

    @Test("a multipart upload logs its start, every part and its completion")
    func uploadPartsAreLogged() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parts-\(UUID().uuidString).bin").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        for block in 0..<11 { handle.write(Data(repeating: UInt8(block), count: 1 << 20)) }  // 11 MiB: 3 parts of 5 MiB
        try handle.close()

        let capture = LogCapture()
        let storage = client(capture) {
            $0.multipartThreshold = 1 << 20
            $0.multipartChunkSize = 5 << 20
        }.storage
        _ = try await storage.upload(fileAt: path)
        #expect(capture.records("multipart upload started").first?.metadata["fal.parts"] == "3")
        let parts = capture.records("multipart part uploaded").compactMap { $0.metadata["fal.part"] }
        #expect(parts.sorted() == ["1/3", "2/3", "3/3"])
        #expect(capture.records("multipart upload completed").count == 1)
        expectNoKey(capture)
    }

    @Test("logged URLs keep scheme, host and path, and drop query and user info")
    func loggableURLs() {
        #expect(FalClient.loggable("https://queue.fal.run/fal-ai/x?fal_webhook=https%3A%2F%2Fme%2Fhook%3Ftoken%3Dsecret")
            == "https://queue.fal.run/fal-ai/x")
        #expect(FalClient.loggable("https://user:pass@example.com/a#frag") == "https://example.com/a")
    }
}
