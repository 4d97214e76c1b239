import Foundation
import Testing

/// One line of `oracle.py`'s output.
struct OracleCase: Decodable {
    var endpoint: String
    /// The exact JSON text jsonschema judged (number spellings such as `1.0` intact).
    var inputText: String
    var valid: Bool
    var errors: [String]

    enum CodingKeys: String, CodingKey {
        case endpoint, valid, errors
        case inputText = "input_text"
    }

    func report(swift: SwiftVerdict) -> String {
        """
        - \(endpoint): jsonschema says \(valid ? "valid" : "invalid"), Swift says \(swift.valid ? "valid" : "invalid")
            input: \(inputText)
            jsonschema errors: \(errors.isEmpty ? "none" : errors.joined(separator: "; "))
            Swift: \(swift.explanation.isEmpty ? "no issues" : swift.explanation.joined(separator: "; "))
        """
    }
}

/// Runs `Tests/Oracle/oracle.py` with `python3` from PATH. A missing interpreter or `jsonschema` is a
/// failure with instructions, never a skip: `make test` installs both.
enum OracleRun {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `schemas` and `overlays` are relative to the package root.
    static func cases(schemas: String, overlays: String, count: Int, seed: Int) throws -> [OracleCase] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fal-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stdoutURL = scratch.appendingPathComponent("cases.jsonl"), stderrURL = scratch.appendingPathComponent("stderr.txt")
        // The child writes into these; a scratch folder that cannot hold them is the test's failure, not the oracle's.
        try #require(FileManager.default.createFile(atPath: stdoutURL.path, contents: nil))
        try #require(FileManager.default.createFile(atPath: stderrURL.path, contents: nil))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", root.appendingPathComponent("Tests/Oracle/oracle.py").path,
            "--schemas", root.appendingPathComponent(schemas).path,
            "--overlays", root.appendingPathComponent(overlays).path,
            "--count", String(count), "--seed", String(seed),
        ]
        let output = try FileHandle(forWritingTo: stdoutURL), errors = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot start `/usr/bin/env python3`: \(error). The oracle test needs python3 on PATH with `jsonschema` (`make test` installs it).")
        }
        process.waitUntilExit()
        try output.close()
        try errors.close()
        let stderrText = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let hint = process.terminationStatus == 127
                ? "python3 is not on PATH; install Python 3 and `python3 -m pip install jsonschema`."
                : "oracle.py failed (`make test` pip-installs jsonschema when it is missing)."
            throw Failure(description: "\(hint) Exit status \(process.terminationStatus). stderr:\n\(stderrText)")
        }
        let decoder = JSONDecoder()
        let text = try String(contentsOf: stdoutURL, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try decoder.decode(OracleCase.self, from: Data(line.utf8))
        }
    }
}
