import FalSDK
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Saves what the demo produced into the output directory: each output as JSON and each image as a file.
struct OutputWriter {
    let directory: URL

    init(path: String) throws {
        directory = URL(fileURLWithPath: path, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func writeJSON<Output: Encodable>(_ output: Output, name: String) throws -> URL {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let file = directory.appendingPathComponent("\(name).json")
        try encoder.encode(output).write(to: file)
        return file
    }

    /// Downloads an output file (fal's CDN, or the emulator's) next to the JSON.
    func download(_ url: String, name: String) async throws -> URL {
        guard let source = URL(string: url) else { throw DemoFailure("output URL \(url) is not a URL") }
        let (data, response) = try await URLSession.shared.data(from: source)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw DemoFailure("downloading \(url) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        let fileExtension = source.pathExtension.isEmpty ? "png" : source.pathExtension
        let file = directory.appendingPathComponent("\(name).\(fileExtension)")
        try data.write(to: file)
        return file
    }
}
