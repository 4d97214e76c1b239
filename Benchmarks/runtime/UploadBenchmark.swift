import Foundation
import FalRuntime

/// Benchmark (d): a large file through storage upload (multipart, parallel parts, streamed from disk),
/// peak RSS and MB/s, against the curl CLI uploading the same parts with the same parallelism to the
/// same local sink. The sink is the test suite's fake fal server, which hashes and drops bytes (the
/// emulator keeps uploads in memory and caps them, so it cannot take a 1 GiB file).
struct UploadBenchmark {
    let baseURL: String
    let key: String
    let mebibytes: Int

    static let chunk = 10 * 1024 * 1024
    static let parallel = 10

    func run() throws -> Table {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fal-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("upload.bin").path
        let size = mebibytes * 1024 * 1024
        FileManager.default.createFile(atPath: file, contents: nil)
        let handle = FileHandle(forWritingAtPath: file)!
        let block = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        for _ in 0..<mebibytes { handle.write(block) }
        try handle.close()

        // curl CLI: the same 10 MiB parts, 10 in parallel, PUT to the same multipart part URLs.
        let parts = (size + Self.chunk - 1) / Self.chunk
        var curlArguments = ["-sS", "--fail", "--no-progress-meter", "--parallel", "--parallel-max", String(Self.parallel), "-o", "/dev/null",
                             "-H", "Authorization: Bearer cdn-token-123", "-H", "Content-Type: application/octet-stream"]
        let reader = FileHandle(forReadingAtPath: file)!
        for part in 1...parts {
            let partPath = directory.appendingPathComponent("part-\(part)").path
            FileManager.default.createFile(atPath: partPath, contents: reader.readData(ofLength: Self.chunk))
            curlArguments += ["-T", partPath, "\(baseURL)/cdn/files/bench/multipart/curl-\(UUID().uuidString)/\(part)"]
        }
        try reader.close()
        let curlStart = ContinuousClock.now
        _ = try runCommand("/usr/bin/env", ["curl"] + curlArguments)
        let curlSeconds = Samples.seconds(curlStart.duration(to: .now))
        let curlPeakKiB = childrenPeakKiB()

        let output = try runCommand(CommandLine.arguments[0], ["upload-child", baseURL, key, file])
        let fields = output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard fields.count == 2 else { throw BenchmarkError("upload child printed '\(output)'") }
        let megabytes = Double(size) / 1_000_000
        var table = Table(title: "(d) \(mebibytes) MiB upload, \(Self.chunk >> 20) MiB parts × \(Self.parallel) parallel, local sink",
                          columns: ["client", "MB/s", "peak RSS (MiB)", "throughput vs curl"])
        table.rows.append(["FalRuntime storage.upload(fileAt:)", format(megabytes / fields[0], 0), format(fields[1] / 1024, 1),
                           format((megabytes / fields[0]) / (megabytes / curlSeconds) * 100, 0) + " %"])
        table.rows.append(["curl CLI \(curlVersion())", format(megabytes / curlSeconds, 0), format(Double(curlPeakKiB) / 1024, 1), "100 %"])
        return table
    }

    /// One upload in a fresh process, so its peak RSS is the upload's alone.
    static func child(baseURL: String, key: String, path: String) async throws {
        var configuration = FalConfiguration(key: key, hosts: .emulator(baseURL))
        configuration.multipartChunkSize = Int64(chunk)
        configuration.multipartConcurrency = parallel
        let client = FalClient(configuration: configuration)
        let start = ContinuousClock.now
        _ = try await client.storage.upload(fileAt: path)
        print(Samples.seconds(start.duration(to: .now)), peakResidentKiB())
    }

    private func curlVersion() -> String {
        ((try? runCommand("/usr/bin/env", ["curl", "--version"])) ?? "").split(separator: " ").dropFirst().first.map(String.init) ?? ""
    }
}

/// Peak RSS of the largest waited-for child process, in KiB.
func childrenPeakKiB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)  // Linux; the benchmark is Linux-only like its /proc reads
    return Int(usage.ru_maxrss)
}
