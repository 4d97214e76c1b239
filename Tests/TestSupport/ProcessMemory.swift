import Foundation

/// This process's resident memory from /proc/self/status (Linux), in bytes.
///
/// Where /proc is missing (macOS), there is nothing to read: the tests that bound memory are then disabled
/// with `.enabled(if: ProcessMemory.isAvailable, …)`, and Swift Testing reports them as skipped rather than
/// passing on a reading of zero. Shared by the runtime's and the proxy's test targets (this target does not
/// import Testing, so the reason is a `String`: `Comment(rawValue: ProcessMemory.unavailableReason)`).
package enum ProcessMemory {
    /// Whether this platform gives a peak resident set to measure.
    package static let isAvailable = field("VmHWM:") != nil

    /// Why a memory bound is not checked here, for `.enabled(if:)`.
    package static let unavailableReason = "peak RSS is read from /proc/self/status, which this platform does not have"

    /// The peak resident set (`VmHWM`).
    package static var peak: Int { field("VmHWM:") ?? 0 }

    /// Resets the peak to the current resident set (`clear_refs` 5) and returns it (`VmRSS`), so the next
    /// `peak` measures only what came after.
    package static func resetPeak() -> Int {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        return field("VmRSS:") ?? 0
    }

    private static func field(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kib * 1024
    }
}
