/// Why the emulator could not start.
public enum EmulatorError: Error, Sendable, CustomStringConvertible {
    case configuration(String)
    case startup(String)

    public var description: String {
        switch self {
        case .configuration(let message): return "emulator configuration error: \(message)"
        case .startup(let message): return "emulator failed to start: \(message)"
        }
    }
}
