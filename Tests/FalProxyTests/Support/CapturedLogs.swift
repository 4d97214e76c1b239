import Foundation
import Logging
import Synchronization

/// Every line a logger wrote, with its metadata, so tests can show what the proxy logs (and that the key is not in it).
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger writing here, at trace level.
    func logger() -> Logger {
        var logger = Logger(label: "fal.proxy.test") { _ in Handler(sink: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Every line so far: level, message and metadata.
    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            sink.append("\(event.level) \(event.message) \(merged.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
        }
    }
}
