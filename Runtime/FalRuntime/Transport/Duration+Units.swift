/// `Duration` in the units that APIs and logs take (libcurl's milliseconds, Foundation's seconds).
extension Duration {
    /// Whole milliseconds, rounded down.
    var wholeMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }

    /// Seconds as a `Double` (`TimeInterval`).
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
