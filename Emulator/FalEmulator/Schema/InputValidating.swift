import FalCore

/// The seam to the generator's schema model: the emulator validates request bodies with the same code
/// that generated `validate()` methods are derived from, never with a validator of its own.
protocol InputValidating: Sendable {
    /// Every violation in `input` against the endpoint's input schema, as field paths and `Rule` messages.
    func issues(in input: JSONValue) -> [ValidationIssue]
}
