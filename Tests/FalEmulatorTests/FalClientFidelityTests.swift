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
            let (status, output) = try await Subprocess.run(
                [python, Self.script.path, base, "fidelity-key", String(Sanitizer.timeSlack)], timeout: .seconds(180 * Sanitizer.timeSlack))
            print("fal-client fidelity: \(output)")
            #expect(!output.contains("No module named 'fal_client'"), "fal-client is not installed: run `make python-deps`")
            #expect(status == 0, "fal-client script failed: \(output)")
            #expect(output.contains("\"ok\": true"))
        }
    }
}
