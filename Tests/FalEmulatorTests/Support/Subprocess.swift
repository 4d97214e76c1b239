import Dispatch
import Foundation

/// Child processes for tests (the Python client, the fal CLIs), always bounded in time. Pipe reads block,
/// so they run on Dispatch threads, never on Swift's cooperative pool, which the in-process emulator
/// needs to answer the child.
enum Subprocess {
    /// Runs a process (bounded by `timeout`), returning its exit status and combined output.
    static func run(_ arguments: [String], timeout: Duration) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        async let output = readToEnd(pipe.fileHandleForReading)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                // SIGKILL: a child spawned from a pool thread inherits its blocked SIGTERM and would run on.
                kill(process.processIdentifier, SIGKILL)
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let data = await output
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Stops a child: SIGTERM (its clean shutdown), then SIGKILL if it is still running two seconds later
    /// (it may have inherited a signal mask that holds SIGTERM back).
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(2)
        while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Everything until end of file, read on a Dispatch thread.
    static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }

    /// The first line a process writes, read on a Dispatch thread (nil at end of file).
    static func firstLine(_ handle: FileHandle) async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = Data()
                while !buffer.contains(UInt8(ascii: "\n")) {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    buffer.append(chunk)
                }
                let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first.map(String.init)
                continuation.resume(returning: line)
            }
        }
    }
}
