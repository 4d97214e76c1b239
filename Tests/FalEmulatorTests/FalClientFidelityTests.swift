import FalEmulator
import Foundation
import Testing

/// Runs fal's official Python client (fal-client 1.0.3, installed by `make python-deps`) against the
/// emulator: submit, status(with_logs=True), result, cancel, subscribe, upload_file, run, stream, retries.
@Suite struct FalClientFidelityTests {
    static let script = EmulatorFixture.repositoryRoot.appendingPathComponent("Tests/Fidelity/fal_client_fidelity.py")

    @Test func officialPythonClientWorksUnmodified() async throws {
        let python = ProcessInfo.processInfo.environment["PYTHON"] ?? "python3"
        let configuration = EmulatorFixture.configuration(controls: EmulatorControls(latencyMilliseconds: 200, queueDepth: 1, queueStepMilliseconds: 100, logLines: 3), apiKey: "fidelity-key")
        try await EmulatorFixture.with(configuration) { _, base in
            let (status, output) = try await Self.run([python, Self.script.path, base, "fidelity-key"], timeout: .seconds(180))
            print("fal-client fidelity: \(output)")
            #expect(!output.contains("No module named 'fal_client'"), "fal-client is not installed: run `make python-deps`")
            #expect(status == 0, "fal-client script failed: \(output)")
            #expect(output.contains("\"ok\": true"))
        }
    }

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
