import ArgumentParser
import FalCodegen
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct Fetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download endpoints' OpenAPI documents and store them normalized (sorted keys, 2-space indent).")

    @Argument(help: "Endpoint ids, e.g. fal-ai/illusion-diffusion.")
    var endpointIDs: [String]

    @Option(help: "fal's web origin.")
    var baseURL = "https://fal.ai"

    @Option(help: "Directory the documents are written to (<id with / as __>.json).")
    var into = "schemas"

    func run() async throws {
        var failed = false
        try FileManager.default.createDirectory(atPath: into, withIntermediateDirectories: true)
        for id in endpointIDs {
            do {
                let text = try await fetch(id)
                let target = (into as NSString).appendingPathComponent(id.replacingOccurrences(of: "/", with: "__") + ".json")
                try Data(text.utf8).write(to: URL(fileURLWithPath: target))
                print("fetched \(id) → \(target)")
            } catch {
                FileHandle.standardError.write(Data("error: \(id): \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    private func fetch(_ id: String) async throws -> String {
        var components = URLComponents(string: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL)
        components?.path += "/api/openapi/queue/openapi.json"
        components?.queryItems = [URLQueryItem(name: "endpoint_id", value: id)]
        guard let url = components?.url else { throw ValidationError("invalid base URL \(baseURL)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 60
        let (data, response) = try await URLSession.shared.data(for: request)
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw ValidationError("HTTP \(http.statusCode) from \(url)")
        }
        let tree = try OrderedJSONReader.read(Array(data))
        // Parse it as the generator will, so a broken download is reported now rather than at generate time.
        _ = try DocumentLoader.load(tree: tree, name: id)
        return tree.serialized(sortedKeys: true, indent: 2) + "\n"
    }
}
