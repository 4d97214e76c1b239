#if FAL_THREAD_SANITIZER
import FalCore

/// In `make sanitize`'s ThreadSanitizer build, a lock TSan can see stands in for `Synchronization.Mutex`
/// in this module (why: FalCore's `ThreadSanitizerVisibleMutex`).
typealias Mutex = ThreadSanitizerVisibleMutex
#endif
