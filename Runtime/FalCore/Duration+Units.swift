/// `Duration` in the units that APIs and logs take (libcurl's milliseconds, Foundation's seconds), for every
/// module of the package: the runtime, the emulator, `fal-codegen`, benchmarks and tests.
extension Duration {
    /// Whole milliseconds, rounded down.
    package var wholeMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }

    /// Seconds as a `Double` (`TimeInterval`).
    package var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
