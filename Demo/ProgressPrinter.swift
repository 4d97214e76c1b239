import FalSDK
import Synchronization

/// Prints a request's queue position and each new log line as updates arrive.
final class ProgressPrinter: Sendable {
    private let label: String
    private let printedLogs = Mutex(0)
    private let lastPosition = Mutex<Int?>(nil)

    init(label: String) { self.label = label }

    func enqueued(_ requestID: String) {
        print("  [\(label)] enqueued as \(requestID)")
    }

    func update(_ status: QueueStatus) {
        switch status {
        case .inQueue(let position):
            let changed = lastPosition.withLock { last in
                defer { last = position }
                return last != position
            }
            if changed { print("  [\(label)] queue position \(position)") }
        case .inProgress(let logs), .completed(let logs, _, _, _):
            let fresh = printedLogs.withLock { printed in
                defer { printed = max(printed, logs.count) }
                return logs.dropFirst(printed)
            }
            for log in fresh { print("  [\(label)] log: \(log.message)") }
            if status.isCompleted { print("  [\(label)] completed") }
        }
    }
}
