import Foundation

/// This process's resident memory from /proc/self/status (Linux), in bytes; 0 where /proc is unavailable.
enum ProcessMemory {
    /// The peak resident set (`VmHWM`).
    static var peak: Int { field("VmHWM:") }

    /// Resets the peak to the current resident set (`clear_refs` 5) and returns it (`VmRSS`), so the next
    /// `peak` measures only what came after.
    static func resetPeak() -> Int {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        return field("VmRSS:")
    }

    private static func field(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kib * 1024
    }
}
