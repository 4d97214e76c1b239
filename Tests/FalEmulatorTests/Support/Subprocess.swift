import Foundation

/// Child processes for tests (the Python client, the fal-codegen CLI), always bounded in time.
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
        let reader = Task.detached { pipe.fileHandleForReading.readDataToEndOfFile() }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.waitUntilExit()
        let data = await reader.value
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
