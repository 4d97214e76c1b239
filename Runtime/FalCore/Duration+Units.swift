/// `Duration` in the units that APIs and logs take (libcurl's milliseconds, Foundation's seconds), for every
/// module of the package: the runtime, the emulator, `fal-codegen`, benchmarks and tests.
extension Duration {
    /// Whole milliseconds, rounded down; saturating at `Int64`'s bounds (a timeout of `.seconds(.max)` trapped in
    /// the multiplication, the same overflow ClientFuzz found in `Task.sleep`).
    package var wholeMilliseconds: Int64 {
        let (milliseconds, overflow) = components.seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return components.seconds < 0 ? .min : .max }
        let (total, overflowAgain) = milliseconds.addingReportingOverflow(components.attoseconds / 1_000_000_000_000_000)
        return overflowAgain ? (milliseconds < 0 ? .min : .max) : total
    }

    /// Seconds as a `Double` (`TimeInterval`).
    package var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
