#if FAL_THREAD_SANITIZER
import Foundation

/// The lock each module calls `Mutex` in `make sanitize`'s ThreadSanitizer build (`-D FAL_THREAD_SANITIZER`).
///
/// `Synchronization.Mutex` waits on a Linux futex that ThreadSanitizer does not model, so TSan reports every
/// access a `Mutex` protects as a race: a two-thread program appending to a `Mutex`-guarded array is
/// reported, the same program with `NSLock` (a pthread mutex, which TSan intercepts) is not. With this lock
/// standing in, TSan sees the locking and reports only real races. Same `init` and `withLock` as `Mutex`;
/// no other build uses it.
package final class ThreadSanitizerVisibleMutex<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    package init(_ initialValue: consuming Value) { value = initialValue }

    package func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Shadows `Synchronization.Mutex` in this module (see above).
typealias Mutex = ThreadSanitizerVisibleMutex
#endif
