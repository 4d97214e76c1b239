#if canImport(CCurlShim)
import CCurl
import CCurlShim
import Foundation
import Synchronization

/// One libcurl multi handle carries every transfer of the process: connections, TLS sessions and DNS
/// answers are cached and reused across requests, and thousands of concurrent requests cost sockets, not
/// threads.
///
/// It uses libcurl's socket interface (`curl_multi_socket_action`) rather than `curl_multi_poll`, so the
/// multi handle is never held while waiting: the loop thread waits on a poller (epoll on Linux) without
/// the lock, and the thread that starts a transfer drives its first step itself. On a warm connection that
/// writes the request before `start` returns, and the socket libcurl then asks to watch goes straight into
/// the set the loop is waiting on: no thread is woken to send a request (it cost one wake-up per request).
/// Everything libcurl calls back into (socket callback, transfer callbacks, `deliver`) runs with `lock`
/// held, on whichever thread is driving libcurl at that moment.
final class CurlEventLoop: @unchecked Sendable {
    static let shared = CurlEventLoop()

    private let multi: UnsafeMutableRawPointer
    private let poller: OpaquePointer
    /// Guards `multi` and every `var` below.
    private let lock = NSLock()
    /// Running transfers by easy handle.
    private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    /// When the loop will look at libcurl's timers next, unless woken: a transfer whose timer is due
    /// earlier must wake it.
    private var nextLook = ContinuousClock.now

    /// Connections per host: a few while every transfer may multiplex over HTTP/2, libcurl's default once one cannot.
    private var hostCap = HostConnectionCap()

    /// Readiness reports for sockets libcurl no longer watches (idle connections the server closed): one
    /// per such close. Tests read it to show the loop does not spin on them.
    private var idleSocketEvents = 0

    /// Cancellations are queued and applied by the loop: `cancel` is called from stream termination
    /// handlers, which may run while this thread already holds `lock` (delivering a body chunk).
    private let cancellations = Mutex<[CurlTransfer]>([])
    /// Paused transfers whose consumer caught up, unpaused by the loop (`curl_easy_pause` needs the multi's lock).
    private let resumptions = Mutex<[CurlTransfer]>([])

    /// libcurl's `CURL_SOCKET_TIMEOUT` (`CURL_SOCKET_BAD`, -1): "no socket, the timer fired".
    private static let timeoutSocket: curl_socket_t = -1
    /// Longest wait, so a lost wake-up could never stall the loop for long.
    private static let maximumWaitMilliseconds = 1000

    /// `idleSocketEvents`, read under the lock.
    var idleSocketEventCount: Int { lock.withLock { idleSocketEvents } }

    private init() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: libcurl is unusable") }
        guard let poller = fal_poller_create() else { fatalError("cannot create the event loop's poller (epoll/poll)") }
        self.multi = multi
        self.poller = poller
        let configured = fal_curl_multi_set_socket_callback(multi, { _, socket, what, userp, _ in
            let loop = Unmanaged<CurlEventLoop>.fromOpaque(userp!).takeUnretainedValue()
            return fal_poller_watch(loop.poller, socket, what) == 0 ? 0 : -1
        }, Unmanaged.passUnretained(self).toOpaque())
        guard configured == CURLM_OK else { fatalError("libcurl rejected the multi socket callback: \(configured)") }
        // Thousands of concurrent requests (each status stream holds a connection) queue for a connection
        // rather than run out of descriptors.
        _ = fal_curl_multi_cap_connections(multi)
        _ = fal_curl_multi_set_host_cap(multi, hostCap.limit, 0)

        let thread = Thread { [unowned self] in self.run() }
        thread.name = "fal-curl-event-loop"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Starts a transfer from the calling thread: on a warm connection the request is on the wire when this returns.
    func start(_ transfer: CurlTransfer) {
        lock.lock()
        var wake = false
        if transfer.cancelRequested.load(ordering: .sequentiallyConsistent) {
            transfer.finishCancelled()
        } else {
            if hostCap.starting(mayMultiplex: transfer.mayMultiplex) { applyHostCap() }
            running[transfer.handle] = transfer
            // Sockets open and close through the poller, which keeps idle connections in its set.
            fal_curl_set_socket_hooks(transfer.handle, poller)
            curl_multi_add_handle(multi, transfer.handle)
            drive(Self.timeoutSocket, events: 0)
            // Its sockets are watched already; only a timer due before the loop's next look needs it awake.
            var milliseconds = -1
            curl_multi_timeout(multi, &milliseconds)
            wake = milliseconds >= 0 && ContinuousClock.now + .milliseconds(milliseconds) < nextLook
        }
        lock.unlock()
        if wake { fal_poller_wake(poller) }
    }

    /// Sets the per-host cap on the multi handle and lets the transfers queued under the old one try again. Needs `lock`.
    private func applyHostCap() {
        _ = fal_curl_multi_set_host_cap(multi, hostCap.limit, running.count)
    }

    /// Whether the per-host connection cap still holds (tests).
    var hostConnectionCapHolds: Bool { lock.withLock { !hostCap.isLifted } }

    /// Aborts a transfer; its waiter gets `CancellationError`. Safe at any time, from any thread, even before `start`.
    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.store(true, ordering: .sequentiallyConsistent)
        cancellations.withLock { $0.append(transfer) }
        fal_poller_wake(poller)
    }

    /// Lets a transfer paused for its slow consumer (or its streamed body's slow source) go on. Safe at any time, from any thread.
    func resume(_ transfer: CurlTransfer) {
        resumptions.withLock { $0.append(transfer) }
        fal_poller_wake(poller)
    }

    /// One step of libcurl for a ready socket (or its timer), then delivers finished transfers. Needs `lock`.
    private func drive(_ socket: curl_socket_t, events: Int32) {
        var stillRunning: Int32 = 0
        curl_multi_socket_action(multi, socket, events, &stillRunning)
        // Not from the header callback itself: libcurl refuses multi calls made inside its callbacks.
        if !hostCap.isLifted, CurlTransfer.sawHTTP1.load(ordering: .relaxed), hostCap.sawHTTP1() { applyHostCap() }
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard fal_curl_msg_is_done(message) != 0, let easy = message.pointee.easy_handle else { continue }
            let result = fal_curl_msg_result(message)
            if let transfer = running.removeValue(forKey: easy) {
                // The waiter first: taking the handle off the multi and resetting it overlap its wake-up.
                transfer.deliver(result)
                curl_multi_remove_handle(multi, easy)
                transfer.release()
            }
        }
    }

    private func run() {
        let capacity: Int32 = 64
        var fds = [Int32](repeating: 0, count: Int(capacity))
        var masks = [Int32](repeating: 0, count: Int(capacity))
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
            for transfer in resumptions.withLock({ pending in defer { pending.removeAll() }; return pending }) {
                if running[transfer.handle] === transfer, transfer.paused || transfer.readPaused {
                    transfer.paused = false
                    transfer.readPaused = false
                    // May deliver the held-back bytes at once (and pause again); libcurl then asks to run.
                    curl_easy_pause(transfer.handle, 0)  // CURLPAUSE_CONT
                }
            }
            // libcurl's next timeout, asked for rather than taken from a timer callback: that callback is
            // skipped when the expiry did not change, which loses the timer once the loop has consumed it.
            var milliseconds = -1
            curl_multi_timeout(multi, &milliseconds)
            if milliseconds == 0 {
                drive(Self.timeoutSocket, events: 0)
                curl_multi_timeout(multi, &milliseconds)
            }
            let wait = milliseconds < 0 ? Self.maximumWaitMilliseconds : min(milliseconds, Self.maximumWaitMilliseconds)
            nextLook = .now + .milliseconds(wait)
            lock.unlock()

            let ready = fal_poller_wait(poller, &fds, &masks, capacity, Int32(wait))
            guard ready > 0 else { continue }
            lock.lock()
            for index in 0..<Int(ready) {
                if fal_poller_claim(poller, fds[index]) != 0 {
                    drive(fds[index], events: masks[index])
                } else {
                    idleSocketEvents += 1
                }
            }
            lock.unlock()
        }
    }
}
#endif
