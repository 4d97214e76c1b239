import Foundation
import FalCore
import FalRuntime

/// Benchmark (d): a large file through storage upload to the fal emulator (multipart: token, begin,
/// parallel parts streamed from disk, complete), peak RSS and MB/s, against the curl CLI running the same
/// protocol with the same parts and parallelism. The emulator streams uploads to disk, so it takes 1 GiB in
/// constant memory; both uploads are checked by downloading them back and comparing sizes.
struct UploadBenchmark {
    let baseURL: String
    let key: String
    let mebibytes: Int

    static let chunk = 10 * 1024 * 1024
    static let parallel = 10
    static let rounds = 3

    func run() throws -> Table {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fal-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("upload.bin").path
        let size = mebibytes * 1024 * 1024
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        let handle = FileHandle(forWritingAtPath: file)!
        let block = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        for _ in 0..<mebibytes { handle.write(block) }
        try handle.close()

        // The curl CLI's parts: the same 10 MiB slices, cut before timing starts.
        let parts = (size + Self.chunk - 1) / Self.chunk
        let reader = FileHandle(forReadingAtPath: file)!
        let partPaths = (1...parts).map { part -> String in
            let partPath = directory.appendingPathComponent("part-\(part)").path
            _ = FileManager.default.createFile(atPath: partPath, contents: reader.readData(ofLength: Self.chunk))
            return partPath
        }
        try reader.close()

        // Alternating rounds, median time: the emulator's disk writeback from one upload slows the next,
        // so neither client always goes second.
        var curlTimes: [Double] = [], falTimes: [Double] = [], sessionTimes: [Double] = []
        var curlPeakKiB = 0, falPeakKiB = 0.0, sessionPeakKiB = 0.0
        for round in 0..<Self.rounds {
            for client in round % 2 == 0 ? ["curl", "fal", "urlsession"] : ["urlsession", "fal", "curl"] {
                if client == "curl" {
                    let start = ContinuousClock.now
                    let (url, peak) = try curlUpload(partPaths: partPaths)
                    curlTimes.append(start.duration(to: .now).inSeconds)
                    curlPeakKiB = max(curlPeakKiB, peak)
                    try verify(url, size: size)
                } else {
                    let output = try runCommand(CommandLine.arguments[0], ["upload-child", baseURL, key, file, client])
                    let fields = output.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                    guard fields.count == 3, let seconds = Double(fields[0]), let peak = Double(fields[1]) else {
                        throw BenchmarkError("upload child printed '\(output)'")
                    }
                    if client == "fal" {
                        falTimes.append(seconds)
                        falPeakKiB = max(falPeakKiB, peak)
                    } else {
                        sessionTimes.append(seconds)
                        sessionPeakKiB = max(sessionPeakKiB, peak)
                    }
                    try verify(fields[2], size: size)
                }
            }
        }
        let curlSeconds = curlTimes.sorted()[curlTimes.count / 2]
        let falSeconds = falTimes.sorted()[falTimes.count / 2]
        let sessionSeconds = sessionTimes.sorted()[sessionTimes.count / 2]

        let megabytes = Double(size) / 1_000_000
        var table = Table(title: "(d) \(mebibytes) MiB upload to the emulator, \(Self.chunk >> 20) MiB parts × \(Self.parallel) parallel, median of \(Self.rounds)",
                          columns: ["client", "MB/s", "peak RSS (MiB)", "throughput vs curl"])
        table.rows.append(["FalRuntime storage.upload(fileAt:), libcurl HTTPTransport", format(megabytes / falSeconds, 0), format(falPeakKiB / 1024, 1),
                           format(curlSeconds / falSeconds * 100, 0) + " %"])
        table.rows.append(["FalRuntime storage.upload(fileAt:), URLSessionTransport (parts from temporary files)",
                           format(megabytes / sessionSeconds, 0), format(sessionPeakKiB / 1024, 1), format(curlSeconds / sessionSeconds * 100, 0) + " %"])
        table.rows.append(["curl CLI \(curlVersion())", format(megabytes / curlSeconds, 0), format(Double(curlPeakKiB) / 1024, 1), "100 %"])
        return table
    }

    /// fal's multipart protocol with the curl CLI: CDN token, begin, every part PUT (`--parallel`), complete.
    /// Returns the file's URL and the parts transfer's peak RSS (the largest of the curl processes).
    private func curlUpload(partPaths: [String]) throws -> (url: String, peakKiB: Int) {
        let tokenAnswer = try json(runCommand("/usr/bin/env", [
            "curl", "-sS", "--fail", "-X", "POST", "-H", "Authorization: Key \(key)", "-H", "Content-Type: application/json", "-d", "{}",
            "\(baseURL)/rest/storage/auth/token?storage_type=fal-cdn-v3"]))
        guard let token = tokenAnswer["token"]?.stringValue, let cdn = tokenAnswer["base_url"]?.stringValue else {
            throw BenchmarkError("token answer lacks token/base_url")
        }
        let auth = ["-H", "Authorization: Bearer \(token)"]
        let begin = try json(runCommand("/usr/bin/env", ["curl", "-sS", "--fail", "-X", "POST"] + auth + [
            "-H", "Content-Type: application/octet-stream", "-H", "X-Fal-File-Name: upload.bin", "\(cdn)/files/upload/multipart"]))
        guard let accessURL = begin["access_url"]?.stringValue, let uploadID = begin["uploadId"]?.stringValue else {
            throw BenchmarkError("multipart begin answer lacks access_url/uploadId")
        }
        // Options before the URLs apply to every transfer; part answers have empty bodies, so stdout holds
        // just the response headers (`-D -`), where the ETags are counted. `Expect:` off, as FalRuntime does:
        // otherwise curl waits a second per part for a `100 Continue`.
        var partArguments = ["curl", "-sS", "--fail", "--no-progress-meter", "--parallel", "--parallel-max", String(Self.parallel),
                             "-D", "-", "-H", "Content-Type: application/octet-stream", "-H", "Expect:"] + auth
        for (index, path) in partPaths.enumerated() {
            partArguments += ["-T", path, "\(accessURL)/multipart/\(uploadID)/\(index + 1)"]
        }
        // Run under the measuring wrapper: its only child is this curl, so the peak RSS is curl's.
        let measured = try runCommand(CommandLine.arguments[0], ["measure-child", "/usr/bin/env"] + partArguments)
        let lines = measured.split(whereSeparator: \.isNewline)  // header lines end in CRLF, one Character
        guard let peak = lines.last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw BenchmarkError("measure-child printed '\(measured.suffix(200))'")
        }
        let etags = lines.filter { $0.lowercased().hasPrefix("etag:") }
        guard etags.count == partPaths.count else { throw BenchmarkError("curl got \(etags.count) ETags for \(partPaths.count) parts") }
        let parts = (1...partPaths.count).map { "{\"partNumber\": \($0), \"etag\": \"x\"}" }.joined(separator: ", ")
        _ = try runCommand("/usr/bin/env", ["curl", "-sS", "--fail", "-X", "POST"] + auth + [
            "-H", "Content-Type: application/json", "-d", "{\"parts\": [\(parts)]}", "\(accessURL)/multipart/\(uploadID)/complete"])
        return (accessURL, peak)
    }

    /// The uploaded file is served back at its full size.
    private func verify(_ url: String, size: Int) throws {
        let served = try runCommand("/usr/bin/env", ["curl", "-sS", "--fail", "-o", "/dev/null", "-w", "%{size_download}", url])
        guard Int(served.trimmingCharacters(in: .whitespacesAndNewlines)) == size else {
            throw BenchmarkError("\(url) served \(served) bytes, expected \(size)")
        }
    }

    private func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// One upload in a fresh process, so its peak RSS is the upload's alone. Prints seconds, peak KiB, URL.
    static func child(baseURL: String, key: String, path: String, transport: String) async throws {
        var configuration = FalConfiguration(key: key, hosts: .emulator(baseURL))
        configuration.multipartChunkSize = Int64(chunk)
        configuration.multipartConcurrency = parallel
        let client = FalClient(configuration: configuration, transport: transport == "urlsession" ? URLSessionTransport() : HTTPTransport())
        let start = ContinuousClock.now
        let url = try await client.storage.upload(fileAt: path)
        print(start.duration(to: .now).inSeconds, peakResidentKiB(), url)
    }

    /// Runs a command and prints its output, then the peak RSS (KiB) of its process: this process's only child.
    static func measureChild(_ command: [String]) throws {
        print(try runCommand(command[0], Array(command.dropFirst())), terminator: "")
        print("\n\(childrenPeakKiB())")
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
