import Crypto
import FalCore
import FalEmulator
import Foundation
import Testing

/// Uploads far larger than the emulator could buffer stream to disk: the served bytes match and the
/// emulator process's peak memory stays bounded. Runs the `fal-emulator` binary so its peak RSS
/// (`VmHWM` in /proc) is the emulator's alone, not shared with the test runner's other tests.
@Suite struct LargeUploadTests {
    static let partSize = 10 << 20
    static let partCount = 30  // 300 MiB
    static let parallel = 4
    /// Peak RSS allowed above the emulator's own after startup: a fraction of one upload's size.
    static let allowedGrowthMiB = 64

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status"), "peak RSS is read from /proc"))
    func multipartUploadOf300MiBStreamsToDiskInBoundedMemory() async throws {
        let emulator = try await EmulatorProcess(arguments: ["--upload-budget-mb", "1024", "--max-upload-mb", "16"])
        defer { emulator.stop() }
        let base = emulator.base
        let baseline = try #require(emulator.peakResidentKiB())

        let (token, cdn) = try await StorageRouteTests.token(base)
        let auth = ["Authorization": "Bearer \(token)"]
        let begin = try await TestHTTP.send(
            "POST", "\(cdn)/files/upload/multipart", headers: auth.merging(["Content-Type": "application/octet-stream", "X-Fal-File-Name": "big.bin"]) { $1 },
            key: nil)
        let accessURL = try #require(begin.json?["access_url"]?.stringValue)
        let uploadID = try #require(begin.json?["uploadId"]?.stringValue)

        var listed: [JSONValue] = []
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var next = 1
            func add() {
                let number = next
                next += 1
                group.addTask {
                    let put = try await TestHTTP.send(
                        "PUT", "\(accessURL)/multipart/\(uploadID)/\(number)", headers: auth, body: Self.part(number), key: nil, timeout: 120)
                    guard put.status == 200, let etag = put.header("etag") else { throw FixtureError("part \(number) answered \(put.status): \(put.text)") }
                    return (number, etag)
                }
            }
            for _ in 0..<Self.parallel { add() }
            while let (number, etag) = try await group.next() {
                listed.append(["partNumber": .int(number), "etag": .string(etag)])
                if next <= Self.partCount { add() }
            }
        }
        #expect(listed.count == Self.partCount)
        let complete = try await TestHTTP.json("POST", "\(accessURL)/multipart/\(uploadID)/complete", ["parts": .array(listed)], headers: auth, key: nil)
        #expect(complete.status == 200)

        var expected = SHA256()
        for number in 1...Self.partCount { expected.update(data: Self.part(number)) }
        // The test runner holds the download (it is not the process being measured).
        let served = try await TestHTTP.send("GET", accessURL, key: nil, timeout: 120)
        #expect(served.status == 200)
        #expect(served.body.count == Self.partSize * Self.partCount)
        #expect(Data(SHA256.hash(data: served.body)) == Data(expected.finalize()))

        let peak = try #require(emulator.peakResidentKiB())
        let growthMiB = (peak - baseline) / 1024
        print("emulator peak RSS: \(baseline / 1024) MiB after startup, \(peak / 1024) MiB after a \((Self.partSize * Self.partCount) >> 20) MiB upload and download")
        #expect(growthMiB < Self.allowedGrowthMiB, "peak RSS grew by \(growthMiB) MiB")
    }

    /// Uploaded bytes live in the emulator's own directory on disk, which `stop()` removes.
    @Test func uploadsLiveOnDiskUntilStop() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("fal-emulator-uploads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        func storedBytes() throws -> Int {
            try FileManager.default.subpathsOfDirectory(atPath: parent.path).reduce(0) { total, name in
                let attributes = try FileManager.default.attributesOfItem(atPath: parent.appendingPathComponent(name).path)
                return total + ((attributes[.type] as? FileAttributeType) == .typeRegular ? (attributes[.size] as? Int ?? 0) : 0)
            }
        }
        let emulator = try FalEmulator(configuration: EmulatorFixture.configuration { $0.uploadsParentDirectory = parent })
        let base = try await emulator.start().absoluteString
        let (token, cdn) = try await StorageRouteTests.token(base)
        let upload = try await TestHTTP.send(
            "POST", "\(cdn)/files/upload", headers: ["Authorization": "Bearer \(token)"], body: Data(repeating: 7, count: 100_000), key: nil)
        #expect(upload.status == 200)
        #expect(try storedBytes() == 100_000)
        await emulator.stop()
        #expect(try storedBytes() == 0)
    }

    /// Part `number`: its number in the first bytes, then a byte that differs per part, so order matters.
    static func part(_ number: Int) -> Data {
        var data = Data(repeating: UInt8(truncatingIfNeeded: number &* 37), count: partSize)
        withUnsafeBytes(of: UInt64(number).bigEndian) { data.replaceSubrange(0..<8, with: $0) }
        return data
    }
}

/// The `fal-emulator` binary (built next to the test bundle) as a child process on a free port.
final class EmulatorProcess {
    let base: String
    private let process: Process

    init(arguments: [String]) async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("fal-emulator")
        process = Process()
        process.executableURL = binary
        process.arguments = ["--host", "127.0.0.1", "--port", "0", "--schemas", EmulatorFixture.schemas.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        guard let line = await Subprocess.firstLine(pipe.fileHandleForReading), line.hasPrefix("listening on ") else {
            Subprocess.stop(process)
            throw FixtureError("fal-emulator did not announce its URL")
        }
        base = String(line.dropFirst("listening on ".count))
        // Keep draining stdout so the child never blocks on a full pipe.
        pipe.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
    }

    /// `VmHWM` (peak resident set) from /proc, in KiB.
    func peakResidentKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line?.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    func stop() { Subprocess.stop(process) }
}
