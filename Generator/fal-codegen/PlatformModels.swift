import ArgumentParser
import FalCodegen
import Foundation

/// fal's Platform API (`GET /v1/models`, `GET /v1/models/pricing`) as `search`, `add` and `update` use it: documents
/// come inline (`expand=openapi-3.0`), 50 endpoint ids per request, as fal's order-preserving JSON so a stored
/// document keeps fal's member order.
struct PlatformModels {
    static let defaultAPIURL = "https://api.fal.ai/v1"
    /// fal's "Accepts 1-50 endpoint IDs" per request.
    static let idsPerRequest = 50
    /// 50 documents of ~10-50 KB each, with room to spare; enforced while downloading.
    static let maximumBytes = 64 << 20
    static let timeout: Duration = .seconds(120)

    /// `https://api.fal.ai/v1`, or `<base>/v1` on another server (the emulator: `--base-url http://127.0.0.1:PORT`).
    let apiURL: String
    /// `FAL_KEY` when set: optional for `/models` (higher rate limits), needed for prices.
    let key: String?

    init(baseURL: String?, key: String? = ProcessInfo.processInfo.environment["FAL_KEY"]) throws {
        if let baseURL, baseURL != DocumentFetcher.defaultBaseURL {
            guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw ValidationError("invalid --base-url \(baseURL): expected http(s)://host")
            }
            var base = baseURL
            while base.hasSuffix("/") { base.removeLast() }
            apiURL = base.hasSuffix("/v1") ? base : base + "/v1"
        } else {
            apiURL = Self.defaultAPIURL
        }
        self.key = key.flatMap { $0.isEmpty ? nil : $0 }
    }

    enum Failure: Error, CustomStringConvertible {
        case http(status: Int, url: String, message: String)
        case transfer(url: String, message: String)
        case invalid(url: String, message: String)

        var description: String {
            switch self {
            case .http(let status, let url, let message): return "HTTP \(status) from \(url)\(message.isEmpty ? "" : ": \(message)")"
            case .transfer(let url, let message): return "\(url): \(message)"
            case .invalid(let url, let message): return "\(url): \(message)"
            }
        }
    }

    /// One GET of `path` with `query` (repeated names allowed), parsed as ordered JSON.
    func get(_ path: String, _ query: [(String, String)]) async throws -> OrderedJSON {
        var components = URLComponents(string: apiURL + path)
        components?.percentEncodedQueryItems = query.map {
            URLQueryItem(name: $0.0, value: $0.1.addingPercentEncoding(withAllowedCharacters: Self.unreserved))
        }
        guard let url = components?.url else { throw Failure.invalid(url: apiURL + path, message: "not a URL") }
        let response: BoundedDownload.Response
        do {
            response = try await BoundedDownload.get(
                url, limit: Self.maximumBytes, timeout: Self.timeout, headers: key.map { [("Authorization", "Key \($0)")] } ?? [])
        } catch {
            throw Failure.transfer(url: url.absoluteString, message: "\(error)")
        }
        let tree = try? OrderedJSONReader.read(Array(response.body))
        guard (200..<300).contains(response.status) else {
            // fal's error body: {"error": {"type", "message", …}}.
            let message = [tree?["error"]?["type"]?.string, tree?["error"]?["message"]?.string].compactMap { $0 }.joined(separator: ": ")
            throw Failure.http(status: response.status, url: url.absoluteString, message: message)
        }
        guard let tree else { throw Failure.invalid(url: url.absoluteString, message: "the answer is not JSON") }
        return tree
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    /// What the Platform API said about one requested id.
    enum Document {
        case found(OrderedJSON)
        /// Not among the answer's models: fal serves no such endpoint (any more).
        case notFound
        /// The model is known but its document could not be expanded (`openapi: {error: {code, message}}`).
        case failed(String)
    }

    /// The OpenAPI documents of `ids`: one `GET /models?endpoint_id=…&expand=openapi-3.0` per 50 ids.
    /// Returns the number of requests made too (tests and `update`'s report use it).
    func documents(_ ids: [String]) async throws -> (documents: [String: Document], requests: Int) {
        var result: [String: Document] = [:]
        var requests = 0
        var start = 0
        while start < ids.count {
            let batch = Array(ids[start..<min(start + Self.idsPerRequest, ids.count)])
            start += batch.count
            var cursor: String?
            var seen: Set<String> = []
            repeat {
                // A batch is one page unless the server pages it: then its cursor is followed (each cursor once).
                var query = batch.map { ("endpoint_id", $0) } + [("expand", "openapi-3.0"), ("limit", String(Self.idsPerRequest))]
                if let cursor { query.append(("cursor", cursor)) }
                let answer = try await get("/models", query)
                requests += 1
                for model in answer["models"]?.items ?? [] {
                    guard let id = model["endpoint_id"]?.string else { continue }
                    if let error = model["openapi"]?["error"] {
                        result[id] = .failed([error["code"]?.string, error["message"]?.string].compactMap { $0 }.joined(separator: ": "))
                    } else if let document = model["openapi"], document.members != nil {
                        result[id] = .found(document)
                    } else {
                        result[id] = .failed("the answer has no `openapi` document for it")
                    }
                }
                cursor = answer["next_cursor"]?.string
                if let next = cursor, !seen.insert(next).inserted { break }
            } while cursor != nil
            for id in batch where result[id] == nil { result[id] = .notFound }
        }
        return (result, requests)
    }

    /// One row of `search`'s table.
    struct Model {
        var id: String
        var name: String
        var category: String
        var status: String
    }

    /// Models matching the search, at most `limit`, following `next_cursor` until there are enough.
    func search(_ text: String?, category: String?, status: String?, limit: Int) async throws -> [Model] {
        var models: [Model] = []
        var cursor: String?
        var seen: Set<String> = []
        repeat {
            var query: [(String, String)] = [("limit", String(min(limit, Self.idsPerRequest)))]
            if let text { query.append(("q", text)) }
            if let category { query.append(("category", category)) }
            if let status { query.append(("status", status)) }
            if let cursor { query.append(("cursor", cursor)) }
            let answer = try await get("/models", query)
            for model in answer["models"]?.items ?? [] {
                guard let id = model["endpoint_id"]?.string, models.count < limit else { continue }
                let metadata = model["metadata"]
                models.append(Model(
                    id: id, name: metadata?["display_name"]?.string ?? "", category: metadata?["category"]?.string ?? "",
                    status: metadata?["status"]?.string ?? ""))
            }
            cursor = answer["next_cursor"]?.string
            if let next = cursor, !seen.insert(next).inserted { break }
        } while cursor != nil && models.count < limit
        return models
    }

    /// `unit_price` per `unit` (`$0.025/image`) of each id, 50 ids per `GET /models/pricing`.
    func prices(_ ids: [String]) async throws -> [String: String] {
        var prices: [String: String] = [:]
        var start = 0
        while start < ids.count {
            let batch = Array(ids[start..<min(start + Self.idsPerRequest, ids.count)])
            start += batch.count
            let answer = try await get("/models/pricing", batch.map { ("endpoint_id", $0) })
            for price in answer["prices"]?.items ?? [] {
                guard let id = price["endpoint_id"]?.string, let amount = price["unit_price"]?.double else { continue }
                let currency = price["currency"]?.string ?? "USD"
                let symbol = currency == "USD" ? "$" : currency + " "
                prices[id] = "\(symbol)\(amount)/\(price["unit"]?.string ?? "unit")"
            }
        }
        return prices
    }
}
