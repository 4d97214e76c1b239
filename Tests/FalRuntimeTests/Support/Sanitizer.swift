import Foundation

/// The sanitizer this test process runs under, as `make sanitize` (scripts/sanitize.sh) announces it in
/// `FAL_SANITIZER` (Swift has no compile-time flag for `-sanitize=`). Bounds on time get slack under one;
/// bounds on peak memory are skipped, and reported as skipped.
enum Sanitizer {
    static let name: String? = ProcessInfo.processInfo.environment["FAL_SANITIZER"].flatMap { $0.isEmpty ? nil : $0 }

    /// ThreadSanitizer slows code down 5–15×, AddressSanitizer about 2× (their documentation); on 2 shared
    /// cores with the suite's own parallelism a wall-clock bound needs the upper end.
    static var timeSlack: Int { name == nil ? 1 : 6 }

    /// AddressSanitizer's quarantine and redzones keep freed memory resident, ThreadSanitizer maps shadow
    /// memory for what the code touches: under either, peak RSS measures the sanitizer.
    static var inflatesMemory: Bool { name != nil }
}
