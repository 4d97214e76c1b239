import Foundation

/// Shared by the benchmark executables (fal-bench-runtime, fal-bench-proxy).
/// A server child process that prints `listening on http://HOST:PORT` once ready (the fal emulator's
/// CLI contract, which the fake fal fixture shares). Terminated when the benchmark ends.
public final class ServerProcess {
    public let baseURL: String
    private let process: Process

    public init(executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        let output: Pipe
        (process, output) = try launch(executable, arguments, environment)
        var banner = Data()
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw BenchmarkError("\(executable) exited before listening") }
            banner.append(chunk)
            let text = String(decoding: banner, as: UTF8.self)
            if let range = text.range(of: "listening on "), let end = text[range.upperBound...].firstIndex(of: "\n") {
                baseURL = String(text[range.upperBound..<end]).trimmingCharacters(in: .whitespaces)
                break
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        output.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
    }

    /// The child's peak resident set (`VmHWM` from /proc; Linux), in KiB.
    public var peakResidentKiB: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }?.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// SIGTERM, then SIGKILL if the child has not exited within two seconds (a child may inherit a
    /// signal mask that holds SIGTERM back).
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

public struct BenchmarkError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a command to completion, returning its standard output.
public func runCommand(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
    let (process, output) = try launch(executable, arguments, environment)
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw BenchmarkError("\(executable) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// Starts a child with its standard output on a pipe.
public func launch(_ executable: String, _ arguments: [String], _ environment: [String: String]) throws -> (Process, Pipe) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    return (process, output)
}
