import ArgumentParser
import FalCodegen
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct Fetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download endpoints' OpenAPI documents and store them normalized (2-space indent, fal's member order).")

    @Argument(help: "Endpoint ids, e.g. fal-ai/illusion-diffusion.")
    var endpointIDs: [String]

    @Option(help: "fal's web origin.")
    var baseURL = DocumentFetcher.defaultBaseURL

    @Option(help: "Directory the documents are written to (<id with / as __>.json).")
    var into = "schemas"

    func run() async throws {
        var failed = false
        let fetcher = try DocumentFetcher(baseURL: baseURL)
        try FileManager.default.createDirectory(atPath: into, withIntermediateDirectories: true)
        for id in endpointIDs {
            do {
                let document = try await fetcher.fetch(id)
                let target = (into as NSString).appendingPathComponent(DocumentFetcher.fileName(for: id))
                try Data(document.text.utf8).write(to: URL(fileURLWithPath: target))
                print("fetched \(id) → \(target)")
            } catch {
                FileHandle.standardError.write(Data("error: \(id): \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// Downloads fal's per-endpoint queue OpenAPI document (`/api/openapi/queue/openapi.json?endpoint_id=ID`).
struct DocumentFetcher {
    static let defaultBaseURL = "https://fal.ai"
    /// fal's documents are ~10-50 KB; a body far past that is not a document.
    static let maximumBytes = 16 << 20

    let baseURL: String

    init(baseURL: String) throws {
        guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw ValidationError("invalid base URL \(baseURL): expected http(s)://host")
        }
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    struct Fetched {
        /// Normalized text, ready to store.
        var text: String
        var loaded: LoadedDocument
    }

    enum Failure: Error, CustomStringConvertible {
        /// fal answered 404: no such endpoint (any more).
        case notFound(URL)
        case http(Int, URL)
        case tooLarge(URL)
        case invalid(CodegenError)
        case mismatchedID(expected: String, found: String)

        var description: String {
            switch self {
            case .notFound(let url): return "HTTP 404 from \(url): no such endpoint"
            case .http(let status, let url): return "HTTP \(status) from \(url)"
            case .tooLarge(let url): return "\(url) sent more than \(DocumentFetcher.maximumBytes >> 20) MiB"
            case .invalid(let error): return error.description
            case .mismatchedID(let expected, let found): return "asked for \(expected), the document describes \(found)"
            }
        }
    }

    static func fileName(for id: String) -> String { id.replacingOccurrences(of: "/", with: "__") + ".json" }

    func url(for id: String) throws -> URL {
        var components = URLComponents(string: baseURL)
        components?.path += "/api/openapi/queue/openapi.json"
        components?.queryItems = [URLQueryItem(name: "endpoint_id", value: id)]
        guard let url = components?.url else { throw ValidationError("invalid base URL \(baseURL)") }
        return url
    }

    /// Fetches, parses as the generator will (so a broken download is reported now, not at build time) and
    /// normalizes. Member order is kept: without `x-fal-order-properties`, it is the order of generated properties.
    func fetch(_ id: String) async throws -> Fetched {
        let url = try url(for: id)
        var request = URLRequest(url: url)
        request.timeoutInterval = 60
        let (data, response) = try await URLSession.shared.data(for: request)
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw http.statusCode == 404 ? Failure.notFound(url) : Failure.http(http.statusCode, url)
        }
        guard data.count <= Self.maximumBytes else { throw Failure.tooLarge(url) }
        do {
            let tree = try OrderedJSONReader.read(Array(data))
            let text = tree.serialized(indent: 2) + "\n"
            let loaded = try DocumentLoader.load(tree: tree, name: id)
            guard loaded.endpoint.id == id else { throw Failure.mismatchedID(expected: id, found: loaded.endpoint.id) }
            return Fetched(text: text, loaded: loaded)
        } catch let error as CodegenError {
            throw Failure.invalid(error)
        } catch let error as OrderedJSONReader.SyntaxError {
            throw Failure.invalid(CodegenError(file: url.absoluteString, path: "", message: "\(error)"))
        }
    }
}
