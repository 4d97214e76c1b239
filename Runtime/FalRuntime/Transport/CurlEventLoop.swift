import CCurl
import CCurlShim
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libcurl multi handle carries every transfer of the process: connections, TLS sessions and DNS
/// answers are cached and reused across requests, and thousands of concurrent requests cost sockets, not
/// threads.
///
/// It uses libcurl's socket interface (`curl_multi_socket_action`) rather than `curl_multi_poll`, so the
/// multi handle is never held while waiting: the loop thread polls a snapshot of the sockets libcurl asked
/// for without the lock, and the thread that starts a transfer drives its first step itself. On a reused
/// connection that writes the request before `start` returns; the loop thread, woken to add the new socket
/// to its poll set, is no longer on the request's critical path (it was one thread wake-up per request).
/// Everything libcurl calls back into (socket and timer callbacks, transfer callbacks, `finish`) runs with
/// `lock` held, on whichever thread is driving libcurl at that moment.
final class CurlEventLoop: @unchecked Sendable {
    static let shared = CurlEventLoop()

    private let multi: UnsafeMutableRawPointer
    /// Guards `multi` and every `var` below.
    private let lock = NSLock()
    /// Running transfers by easy handle.
    private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    /// Sockets libcurl wants watched, with `CURL_POLL_IN`/`OUT`/`INOUT`.
    private var sockets: [curl_socket_t: Int32] = [:]
    /// A wake-up byte is already in the pipe and the loop has not yet taken a new snapshot.
    private var wakePending = false

    /// Cancellations are queued and applied by the loop: `cancel` is called from stream termination
    /// handlers, which may run while this thread already holds `lock` (delivering a body chunk).
    private let cancellations = Mutex<[CurlTransfer]>([])
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// libcurl's `CURL_SOCKET_TIMEOUT` (`CURL_SOCKET_BAD`, -1): "no socket, the timer fired".
    private static let timeoutSocket: curl_socket_t = -1

    private init() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: libcurl is unusable") }
        self.multi = multi
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { fatalError("pipe() failed: cannot create the event loop's wake-up channel") }
        wakeRead = ends[0]
        wakeWrite = ends[1]
        for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }

        let me = Unmanaged.passUnretained(self).toOpaque()
        let configured = fal_curl_multi_set_socket_callback(multi, { _, socket, what, userp, _ in
            let loop = Unmanaged<CurlEventLoop>.fromOpaque(userp!).takeUnretainedValue()
            if what == CURL_POLL_REMOVE { loop.sockets[socket] = nil } else { loop.sockets[socket] = what }
            return 0
        }, me)
        guard configured == CURLM_OK else { fatalError("libcurl rejected the multi socket callbacks: \(configured)") }

        let thread = Thread { [unowned self] in self.run() }
        thread.name = "fal-curl-event-loop"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Starts a transfer from the calling thread: on a warm connection the request is on the wire when this returns.
    func start(_ transfer: CurlTransfer) {
        lock.lock()
        if transfer.cancelRequested.load(ordering: .sequentiallyConsistent) {
            transfer.finishCancelled()
        } else {
            running[transfer.handle] = transfer
            curl_multi_add_handle(multi, transfer.handle)
            drive(Self.timeoutSocket, events: 0)
        }
        let wake = !wakePending
        wakePending = true
        lock.unlock()
        // The loop must add the transfer's socket to its poll set (and may need an earlier timer).
        if wake { signalLoop() }
    }

    /// Aborts a transfer; its waiter gets `CancellationError`. Safe at any time, from any thread, even before `start`.
    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.store(true, ordering: .sequentiallyConsistent)
        cancellations.withLock { $0.append(transfer) }
        signalLoop()
    }

    private func signalLoop() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // a full pipe already means "wake up"
    }

    /// One step of libcurl for a ready socket (or its timer), then delivers finished transfers. Needs `lock`.
    private func drive(_ socket: curl_socket_t, events: Int32) {
        var stillRunning: Int32 = 0
        curl_multi_socket_action(multi, socket, events, &stillRunning)
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard fal_curl_msg_is_done(message) != 0, let easy = message.pointee.easy_handle else { continue }
            let result = fal_curl_msg_result(message)
            if let transfer = running.removeValue(forKey: easy) {
                curl_multi_remove_handle(multi, easy)
                transfer.finish(result)
            }
        }
    }

    private func run() {
        var polled: [pollfd] = []
        while true {
            lock.lock()
            for transfer in cancellations.withLock({ pending in defer { pending.removeAll() }; return pending }) {
                // Easy handles are pooled: the handle may already carry a newer transfer, which must live on.
                if running[transfer.handle] === transfer {
                    running[transfer.handle] = nil
                    curl_multi_remove_handle(multi, transfer.handle)
                    transfer.finishCancelled()
                }
            }
            // libcurl's next timeout, asked for rather than taken from its timer callback: that callback is
            // skipped when the expiry did not change, which loses the timer once the loop has consumed it.
            var milliseconds = -1
            curl_multi_timeout(multi, &milliseconds)
            if milliseconds == 0 {
                drive(Self.timeoutSocket, events: 0)
                curl_multi_timeout(multi, &milliseconds)
            }
            // Snapshot what to wait for; anything that changes it from now on writes to the wake-up pipe.
            wakePending = false
            polled.removeAll(keepingCapacity: true)
            polled.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            for (socket, what) in sockets {
                var events: Int32 = 0
                if what & CURL_POLL_IN != 0 { events |= Int32(POLLIN) }
                if what & CURL_POLL_OUT != 0 { events |= Int32(POLLOUT) }
                polled.append(pollfd(fd: socket, events: Int16(events), revents: 0))
            }
            // At most 1 s, so a lost wake-up could never stall the loop for long.
            let timeout = Int32(milliseconds < 0 ? 1000 : min(milliseconds, 1000))
            lock.unlock()

            let ready = poll(&polled, nfds_t(polled.count), timeout)
            guard ready > 0 else { continue }
            if polled[0].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            lock.lock()
            for entry in polled.dropFirst() where entry.revents != 0 {
                let revents = Int32(entry.revents)
                if revents & Int32(POLLNVAL) != 0 { continue }  // closed by libcurl after the snapshot
                var events: Int32 = 0
                if revents & Int32(POLLIN | POLLHUP) != 0 { events |= CURL_CSELECT_IN }
                if revents & Int32(POLLOUT) != 0 { events |= CURL_CSELECT_OUT }
                if revents & Int32(POLLERR) != 0 { events |= CURL_CSELECT_ERR }
                drive(entry.fd, events: events)
            }
            lock.unlock()
        }
    }
}
