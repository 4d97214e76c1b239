import Foundation

/// Latency samples in milliseconds.
struct Samples {
    var values: [Double] = []

    mutating func add(_ duration: Duration) {
        values.append(duration.inSeconds * 1000)
    }

    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[rank]
    }
}

/// A plain-text table, one row per measured client, printed as Markdown so it pastes into the README.
struct Table {
    var title: String
    var columns: [String]
    var rows: [[String]] = []

    func render() -> String {
        var lines = ["", "### \(title)", "", "| " + columns.joined(separator: " | ") + " |",
                     "|" + columns.map { _ in "---" }.joined(separator: "|") + "|"]
        for row in rows { lines.append("| " + row.joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n")
    }
}

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

/// The peak resident set of this process (VmHWM) in KiB; benchmark-only, Linux /proc.
func peakResidentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}
