import CCurl
import CCurlShim
import Foundation
import Synchronization

/// One thread drives every transfer of the process through one libcurl multi handle: connections,
/// TLS sessions and DNS answers are cached and reused across requests, and thousands of concurrent
/// requests cost sockets, not threads. Other threads talk to it only through `commands` + a wakeup.
final class CurlEventLoop: @unchecked Sendable {
    static let shared = CurlEventLoop()

    private enum Command {
        case add(CurlTransfer)
        case cancel(CurlTransfer)
    }

    private let multi: UnsafeMutableRawPointer
    private let commands = Mutex<[Command]>([])
    /// Running transfers by easy handle; touched only on the loop thread.
    private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    private init() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: libcurl is unusable") }
        self.multi = multi
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "fal-curl-event-loop"
        thread.stackSize = 1 << 20
        thread.start()
    }

    func start(_ transfer: CurlTransfer) {
        commands.withLock { $0.append(.add(transfer)) }
        curl_multi_wakeup(multi)
    }

    /// Aborts a transfer; its waiter gets `CancellationError`. Safe at any time, even before `start`.
    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.store(true, ordering: .sequentiallyConsistent)
        commands.withLock { $0.append(.cancel(transfer)) }
        curl_multi_wakeup(multi)
    }

    private func run() {
        var stillRunning: Int32 = 0
        var queued: Int32 = 0
        while true {
            for command in commands.withLock({ pending in defer { pending.removeAll(keepingCapacity: true) }; return pending }) {
                switch command {
                case .add(let transfer):
                    if transfer.cancelRequested.load(ordering: .sequentiallyConsistent) {
                        transfer.finishCancelled()
                    } else {
                        running[transfer.handle] = transfer
                        curl_multi_add_handle(multi, transfer.handle)
                    }
                case .cancel(let transfer):
                    if running.removeValue(forKey: transfer.handle) != nil {
                        curl_multi_remove_handle(multi, transfer.handle)
                        transfer.finishCancelled()
                    }
                }
            }
            curl_multi_perform(multi, &stillRunning)
            while let message = curl_multi_info_read(multi, &queued) {
                guard fal_curl_msg_is_done(message) != 0, let easy = message.pointee.easy_handle else { continue }
                let result = fal_curl_msg_result(message)
                if let transfer = running.removeValue(forKey: easy) {
                    curl_multi_remove_handle(multi, easy)
                    transfer.finish(result)
                }
            }
            // Sleeps until a socket is ready, a libcurl timer fires, or `curl_multi_wakeup` is called.
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}
