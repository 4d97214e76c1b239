import ArgumentParser
import FalCodegen
import Foundation

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
        try pinNamesBeforeReplacing()
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

    /// Re-fetching a document the folder has replaces it as `update` would, so the names it had are recorded in the
    /// names lock first (as `update` does); otherwise fal's renames since the last fetch would rename Swift types.
    private func pinNamesBeforeReplacing() throws {
        let replaced = endpointIDs.map { (into as NSString).appendingPathComponent(DocumentFetcher.fileName(for: $0)) }
        guard replaced.contains(where: { FileManager.default.fileExists(atPath: $0) }) else { return }
        let lockPath = (into as NSString).appendingPathComponent(NamesLock.fileName)
        do {
            let lock = try NamesLock.read(lockPath)
            let current = try Generator.load(documents: [into], overlaysDirectory: existingDirectory((into as NSString).appendingPathComponent("overlays")))
            let pinned = (lock ?? NamesLock()).merging(Generator.names(for: current.map(\.endpoint), lock: lock))
            try Data(pinned.serialized.utf8).write(to: URL(fileURLWithPath: lockPath))
        } catch {
            throw unusable("error: \(lockPath): cannot record the current names before replacing documents: \(error)")
        }
    }
}

/// Downloads fal's per-endpoint queue OpenAPI document (`/api/openapi/queue/openapi.json?endpoint_id=ID`).
struct DocumentFetcher {
    static let defaultBaseURL = "https://fal.ai"
    /// fal's documents are ~10-50 KB; a body far past that is not a document. Enforced while downloading.
    static let maximumBytes = 16 << 20
    /// One document's whole transfer; a server trickling bytes cannot hold `fetch` or `update` longer.
    static let timeout: Duration = .seconds(120)

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
        case timedOut(URL)
        case transfer(URL, String)
        case invalid(CodegenError)
        case mismatchedID(expected: String, found: String)

        var description: String {
            switch self {
            case .notFound(let url): return "HTTP 404 from \(url): no such endpoint"
            case .http(let status, let url): return "HTTP \(status) from \(url)"
            case .tooLarge(let url): return "\(url) sent more than \(DocumentFetcher.maximumBytes >> 20) MiB"
            case .timedOut(let url): return "\(url) did not finish within \(DocumentFetcher.timeout)"
            case .transfer(let url, let message): return "\(url): \(message)"
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
        let response: BoundedDownload.Response
        do {
            response = try await BoundedDownload.get(url, limit: Self.maximumBytes, timeout: Self.timeout)
        } catch BoundedDownload.Failure.tooLarge {
            throw Failure.tooLarge(url)
        } catch BoundedDownload.Failure.timedOut {
            throw Failure.timedOut(url)
        } catch {
            throw Failure.transfer(url, "\(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw response.status == 404 ? Failure.notFound(url) : Failure.http(response.status, url)
        }
        let tree: OrderedJSON
        do { tree = try OrderedJSONReader.read(Array(response.body)) } catch {
            throw Failure.invalid(CodegenError(file: url.absoluteString, path: "", message: "\(error)"))
        }
        return try Self.normalized(tree, id: id)
    }

    /// A downloaded document, checked as the generator will check it and normalized for storing. Shared with
    /// `add` and `update`, which get documents inline from the Platform API (`GET /v1/models?expand=openapi-3.0`).
    static func normalized(_ tree: OrderedJSON, id: String) throws(Failure) -> Fetched {
        do {
            let text = tree.serialized(indent: 2) + "\n"
            let loaded = try DocumentLoader.load(tree: tree, name: id)
            guard loaded.endpoint.id == id else { throw Failure.mismatchedID(expected: id, found: loaded.endpoint.id) }
            return Fetched(text: text, loaded: loaded)
        } catch let error as CodegenError {
            throw Failure.invalid(error)
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure.invalid(CodegenError(file: id, path: "", message: "\(error)"))
        }
    }
}
