import Foundation
import Testing

/// `fal-codegen fetch` against a server that sends far more than a document: the 16 MiB cap bounds the
/// download itself, not a check after the whole body was held in memory.
@Suite struct FetchBoundsTests {
    /// A Python server on a free 127.0.0.1 port that answers one request with a 256 MiB body, with or without
    /// announcing its length, writes until the client goes away, then prints how many bytes it wrote.
    final class FloodServer {
        let port: Int
        private let process = Process()
        private let output = Pipe()

        init(announcesLength: Bool) throws {
            let script = """
                import socket, sys
                listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(1); listener.settimeout(60)
                print(listener.getsockname()[1], flush=True)
                connection, _ = listener.accept(); connection.settimeout(60)
                request = b""
                while b"\\r\\n\\r\\n" not in request: request += connection.recv(65536) or b"\\r\\n\\r\\n"
                head = "HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\n"
                head += ("Content-Length: %d\\r\\n" % (1 << 30)) if sys.argv[1] == "length" else "Connection: close\\r\\n"
                sent = 0
                try:
                    connection.sendall((head + "\\r\\n").encode())
                    chunk = b" " * (1 << 20)
                    while sent < (256 << 20):
                        connection.sendall(chunk); sent += len(chunk)
                except OSError:
                    pass
                connection.close()
                print("sent", sent, flush=True)
                """
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, announcesLength ? "length" : "stream"]
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = Data()
            while !line.contains(0x0A) {
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { throw CocoaError(.fileReadUnknown) }
                line.append(chunk)
            }
            guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw CocoaError(.fileReadCorruptFile)
            }
            self.port = port
        }

        /// The bytes of body the server wrote before the client went away (waits for the server to end).
        func bytesSent() -> Int? {
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return text.split(separator: "\n").first { $0.hasPrefix("sent ") }.flatMap { Int($0.dropFirst(5)) }
        }

        deinit {
            if process.isRunning { process.terminate() }
        }
    }

    @Test("fetch stops reading a body past 16 MiB", arguments: [true, false])
    func fetchCapsTheDownload(announcesLength: Bool) throws {
        let server = try FloodServer(announcesLength: announcesLength)
        let into = FileManager.default.temporaryDirectory.appendingPathComponent("fetch-flood-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: into) }
        let started = ContinuousClock.now
        let result = try CommandLineTests.run(["fetch", "fal-ai/illusion-diffusion", "--base-url", "http://127.0.0.1:\(server.port)", "--into", into])
        let elapsed = started.duration(to: .now)
        #expect(result.status == 1)
        #expect(result.errors.contains("sent more than 16 MiB"), "\(result.errors)")
        let sent = try #require(server.bytesSent(), "the flood server did not report")
        // The cap plus what the kernel's socket buffers took in: far from the 256 MiB a read-it-all client takes.
        #expect(sent < 48 << 20, "the server wrote \(sent >> 20) MiB before fetch stopped reading")
        #expect(elapsed < .seconds(60), "fetch took \(elapsed)")
        #expect(!FileManager.default.fileExists(atPath: into + "/fal-ai__illusion-diffusion.json"))
    }
}
