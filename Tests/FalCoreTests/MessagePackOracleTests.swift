@testable import FalCore
import Foundation
import Testing

/// Python's `msgpack` package is the oracle: `Tests/Oracle/msgpack_oracle.py`
/// packs 10,000 values (every format and length boundary, then random nested values), and
/// - Swift reads each of Python's encodings to the value its description names, bit for bit, and writes
///   that value back to the very same bytes (both pick the smallest form; floats keep their width);
/// - Python unpacks Swift's encoding of each description to the value it generated.
///
/// A missing `python3` or `msgpack` fails the test with instructions (`make python-deps` installs it): an
/// oracle that did not run must not look like one that agreed.
@Suite struct MessagePackOracleTests {
    static let seed = 20_250_601
    static let count = 10_000

    @Test func pythonAndSwiftAgreeBothWays() throws {
        let generated = try MessagePackOracle.run(["generate", "--seed", String(Self.seed), "--count", String(Self.count)])
        let lines = generated.split(separator: UInt8(ascii: "\n"))
        #expect(lines.count == Self.count)

        var failures: [String] = []
        var swiftEncodings = Data()
        var reread = 0, identical = 0
        let descriptions = JSONTapeDecoder()
        for (index, line) in lines.enumerated() {
            guard let tab = line.firstIndex(of: UInt8(ascii: "\t")) else {
                failures.append("#\(index): no tab in the oracle's line")
                continue
            }
            let pythonBytes = Data(try #require(MessagePackOracle.bytes(hex: line[..<tab]), "#\(index): bad hex"))
            let expected = try MessagePackOracle.value(described: descriptions.decode(JSONValue.self, from: Data(line[(tab + 1)...])))

            // Python → Swift: read to the same value, write back the same bytes.
            do {
                let decoded = try MessagePackReader().read(pythonBytes)
                if decoded == expected { reread += 1 } else { failures.append("#\(index): read \(decoded), expected \(expected)") }
                let rewritten = decoded.encoded()
                if rewritten == pythonBytes {
                    identical += 1
                } else {
                    failures.append("#\(index): Swift writes \(MessagePackOracle.hex(rewritten).prefix(120)), Python \(MessagePackOracle.hex(pythonBytes).prefix(120))")
                }
            } catch {
                failures.append("#\(index): Swift cannot read Python's bytes: \(error)")
            }
            // Swift → Python: Swift's own encoding of the description (Base64), checked by the oracle below.
            swiftEncodings.append(expected.encoded().base64EncodedData())
            swiftEncodings.append(UInt8(ascii: "\n"))
        }
        #expect(failures.isEmpty, "\(failures.count) disagreements with Python's msgpack, first ones:\n\(failures.prefix(10).joined(separator: "\n"))")
        #expect(reread == Self.count && identical == Self.count)

        let summary = try MessagePackOracle.run(
            ["check", "--seed", String(Self.seed), "--count", String(Self.count)], input: swiftEncodings, allowFailure: true)
        let verdict = try JSONDecoder().decode(MessagePackOracle.Verdict.self, from: Data(summary))
        #expect(verdict.checked == Self.count)
        #expect(verdict.mismatches == 0, "Python reads Swift's bytes differently:\n\(verdict.failures.joined(separator: "\n"))")
        #expect(verdict.failures.isEmpty, "\(verdict.failures.joined(separator: "\n"))")
        print("msgpack oracle: Swift read \(reread) of Python's \(lines.count) encodings to the described value and rewrote \(identical) byte for byte; Python read \(verdict.checked - verdict.mismatches) of Swift's \(verdict.checked) encodings to the generated value")
    }
}

enum MessagePackOracle {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Verdict: Decodable {
        var checked: Int
        var mismatches: Int
        var failures: [String]
    }

    /// Runs the oracle with `python3` from PATH and returns its stdout. `input`, when given, is written to
    /// a file passed as `--input`. A non-zero exit is a failure, except `allowFailure` for status 1 (the
    /// check's "mismatches found", reported through its summary).
    static func run(_ arguments: [String], input: Data? = nil, allowFailure: Bool = false) throws -> [UInt8] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fal-msgpack-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stdoutURL = scratch.appendingPathComponent("stdout"), stderrURL = scratch.appendingPathComponent("stderr")
        try #require(FileManager.default.createFile(atPath: stdoutURL.path, contents: nil))
        try #require(FileManager.default.createFile(atPath: stderrURL.path, contents: nil))
        var arguments = arguments
        if let input {
            let inputURL = scratch.appendingPathComponent("swift.base64")
            try input.write(to: inputURL)
            arguments += ["--input", inputURL.path]
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("Tests/Oracle/msgpack_oracle.py").path] + arguments
        let output = try FileHandle(forWritingTo: stdoutURL), errors = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot start `/usr/bin/env python3`: \(error). The MessagePack oracle needs python3 on PATH with the `msgpack` package: run `make python-deps`.")
        }
        process.waitUntilExit()
        try output.close()
        try errors.close()
        let stderrText = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        let status = process.terminationStatus
        guard status == 0 || (allowFailure && status == 1) else {
            let hint = switch status {
            case 127: "python3 is not on PATH; install Python 3, then run `make python-deps` (it pip-installs msgpack)."
            case 3: "the Python package msgpack is missing: run `make python-deps`."
            default: "msgpack_oracle.py failed (run `make python-deps` if msgpack is missing)."
            }
            throw Failure(description: "\(hint) Exit status \(status). stderr:\n\(stderrText)")
        }
        return [UInt8](try Data(contentsOf: stdoutURL))
    }

    /// The value a description names (see msgpack_oracle.py); built without the reader under test.
    static func value(described description: JSONValue) throws -> MessagePackValue {
        guard case .array(let parts) = description, case .string(let tag)? = parts.first else {
            throw Failure(description: "bad description \(description)")
        }
        func text(_ index: Int) throws -> String {
            guard parts.count > index, case .string(let value) = parts[index] else { throw Failure(description: "bad description \(description)") }
            return value
        }
        func children() throws -> [JSONValue] {
            guard parts.count > 1, case .array(let values) = parts[1] else { throw Failure(description: "bad description \(description)") }
            return values
        }
        switch tag {
        case "nil": return .nil
        case "bool":
            guard case .bool(let flag) = parts[1] else { throw Failure(description: "bad bool \(description)") }
            return .bool(flag)
        case "int":
            let digits = try text(1)
            if let number = Int64(digits) { return .int(number) }
            guard let number = UInt64(digits) else { throw Failure(description: "bad int \(digits)") }
            return .uint(number)
        case "f64": return .double(Double(bitPattern: try #require(UInt64(text(1), radix: 16))))
        case "f32": return .float(Float(bitPattern: try #require(UInt32(text(1), radix: 16))))
        case "str": return .string(try text(1))
        case "bin": return .binary(Data(try #require(bytes(hex: Array(text(1).utf8)[...]))))
        case "arr": return .array(try children().map(value(described:)))
        case "map":
            return .map(try children().map { pair in
                guard case .array(let entry) = pair, entry.count == 2 else { throw Failure(description: "bad map entry \(pair)") }
                return (key: try value(described: entry[0]), value: try value(described: entry[1]))
            })
        case "arr-range", "map-range":
            guard case .int(let count) = parts[1] else { throw Failure(description: "bad range \(description)") }
            if tag == "arr-range" { return .array((0..<count).map { .int(Int64($0 % 128)) }) }
            return .map((0..<count).map { (key: .int(Int64($0)), value: .nil) })
        case "ext":
            guard case .int(let code) = parts[1], let type = Int8(exactly: code) else { throw Failure(description: "bad ext \(description)") }
            return .extension(type: type, data: Data(try #require(bytes(hex: Array(text(2).utf8)[...]))))
        default: throw Failure(description: "unknown tag \(tag)")
        }
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        appendHex(bytes, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    static func appendHex(_ bytes: some Sequence<UInt8>, to text: inout [UInt8]) {
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
    }

    static func bytes(hex: ArraySlice<UInt8>) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        func nibble(_ character: UInt8) -> UInt8? {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        var result: [UInt8] = []
        result.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            guard let high = nibble(hex[index]), let low = nibble(hex[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }
}
