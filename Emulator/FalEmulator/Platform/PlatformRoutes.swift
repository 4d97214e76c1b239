import FalCore
import Foundation
import HTTPTypes
import Hummingbird

/// fal's Platform API (`api.fal.ai/v1`), Models group, at `/v1/models…`, from what the emulator knows: models from
/// its loaded documents, usage, analytics, billing events and requests from its jobs, payload deletion over its
/// stored files, prices from `PlatformSettings`. Errors are fal's `{"error": {type, message, …}}`.
struct PlatformRoutes: Sendable {
    let state: EmulatorState

    enum Resource: Sendable, Equatable {
        case models, pricing, estimate, usage, analytics, billingEvents, requestsByEndpoint, searchRequests
        case deletePayloads(requestID: String)
        case unknown
        case wrongMethod
    }

    /// `segments` after `v1`.
    static func resource(_ method: HTTPRequest.Method, _ segments: [String]) -> Resource {
        let get: [[String]: Resource] = [
            ["models"]: .models, ["models", "pricing"]: .pricing, ["models", "usage"]: .usage, ["models", "analytics"]: .analytics,
            ["models", "billing-events"]: .billingEvents, ["models", "requests", "by-endpoint"]: .requestsByEndpoint,
            ["models", "requests", "search"]: .searchRequests,
        ]
        if let resource = get[segments] { return method == .get ? resource : .wrongMethod }
        if segments == ["models", "pricing", "estimate"] { return method == .post ? .estimate : .wrongMethod }
        if segments.count == 4, segments[0] == "models", segments[1] == "requests", segments[3] == "payloads" {
            return method == .delete ? .deletePayloads(requestID: segments[2]) : .wrongMethod
        }
        return .unknown
    }

    func handle(_ resource: Resource, _ request: Request) async -> Response {
        // `/models` takes a key optionally ("grants higher rate limits"); the others need one.
        let header = request.headers[.authorization]
        if resource != .models || header != nil, !state.acceptsKey(header ?? "") { return PlatformReply.unauthorized() }
        do {
            let parameters = PlatformParameters(request)
            switch resource {
            case .models: return try models(parameters)
            case .pricing: return try pricing(parameters)
            case .estimate: return await estimate(request)
            case .usage: return try PlatformUsage(state: state).usage(parameters)
            case .analytics: return try PlatformUsage(state: state).analytics(parameters)
            case .billingEvents: return try PlatformUsage(state: state).billingEvents(parameters)
            case .requestsByEndpoint: return try PlatformRequests(state: state).byEndpoint(parameters)
            case .searchRequests: return try PlatformRequests(state: state).search(parameters)
            case .deletePayloads(let id): return PlatformRequests(state: state).deletePayloads(id)
            case .unknown: return PlatformReply.notFound("Resource not found: \(request.uri.path)")
            case .wrongMethod:
                return PlatformReply.error("validation_error", "Method \(request.method.rawValue) is not allowed on \(request.uri.path)", status: .methodNotAllowed)
            }
        } catch {
            return PlatformReply.invalid(error.message)
        }
    }

    // MARK: Models

    /// `GET /v1/models`: list, find (`endpoint_id`), search (`q`, `category`, `status`), `expand=openapi-3.0`.
    private func models(_ parameters: PlatformParameters) throws(PlatformInvalid) -> Response {
        let ids = try parameters.list("endpoint_id")
        let expand = Set(try parameters.list("expand", allowed: ["openapi-3.0", "enterprise_status"]))
        let limit = try parameters.integer("limit", minimum: 1, maximum: expand.contains("openapi-3.0") ? 50 : 100, default: 50)
        let page = try parameters.page()
        let text = try parameters.string("q")?.lowercased()
        let category = try parameters.string("category")
        let status = try parameters.string("status", allowed: ["active", "deprecated"])

        var matches = (ids.isEmpty ? state.catalog.ids : ids.filter { state.catalog.endpoint($0) != nil }).map(metadata)
        matches = matches.filter { model in
            (category.map { model.category == $0 } ?? true) && (status.map { model.status == $0 } ?? true)
                && (text.map { text in [model.id, model.name, model.description, model.category].contains { $0.lowercased().contains(text) } } ?? true)
        }
        let (slice, next) = PlatformParameters.paged(matches, page: page, limit: limit)
        // Documents are spliced in as their bytes, so a client storing one keeps fal's member order.
        var body = Data("{\"models\":[".utf8)
        for (index, model) in slice.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            var object: [String: JSONValue] = ["endpoint_id": .string(model.id), "metadata": model.json]
            if expand.contains("enterprise_status") { object["enterprise_status"] = "ready" }
            var encoded = JSONCoding.data(.object(object))
            if expand.contains("openapi-3.0"), let document = state.documents.document(model.id) ?? state.catalog.endpoint(model.id)?.documentData {
                encoded.removeLast()  // the closing brace
                encoded.append(contentsOf: Data(",\"openapi\":".utf8) + document.trimmingTrailingWhitespace() + Data("}".utf8))
            }
            body.append(encoded)
        }
        body.append(contentsOf: Data("],\"next_cursor\":".utf8) + JSONCoding.data(next) + Data(",\"has_more\":\(next != .null)}".utf8))
        return Reply.bytes(body, contentType: "application/json")
    }

    struct Model {
        var id, name, description, category, status: String
        var json: JSONValue
    }

    /// A loaded endpoint as fal's model metadata, from its document's `info` and `x-fal-metadata`.
    private func metadata(_ id: String) -> Model {
        let info = state.catalog.endpoint(id)?.info ?? .null
        let meta = info["x-fal-metadata"] ?? .null
        let name = id.split(separator: "/").dropFirst().map { $0.split(separator: "-").map(\.capitalized).joined(separator: " ") }
            .joined(separator: " ")
        let model = Model(
            id: id, name: name.isEmpty ? id : name, description: info["description"]?.stringValue ?? "",
            category: meta["category"]?.stringValue ?? "other", status: state.configuration.platform.deprecated.contains(id) ? "deprecated" : "active",
            json: .null)
        let modelURL = "https://fal.run/" + id
        var json: [String: JSONValue] = [
            "display_name": .string(model.name), "category": .string(model.category), "description": .string(model.description),
            "status": .string(model.status), "tags": .array([]), "updated_at": "2026-01-01T00:00:00Z", "is_favorited": .null,
            "thumbnail_url": .string(meta["thumbnailUrl"]?.stringValue ?? ""), "model_url": .string(modelURL), "date": "2026-01-01T00:00:00Z",
            "highlighted": false, "pinned": false, "kind": "inference",
        ]
        if let playground = meta["playgroundUrl"]?.stringValue { json["github_url"] = .string(playground) }
        return Model(id: model.id, name: model.name, description: model.description, category: model.category, status: model.status, json: .object(json))
    }

    // MARK: Pricing

    /// `GET /v1/models/pricing?endpoint_id=…` (required, 1-50): the table's price of each loaded endpoint named.
    private func pricing(_ parameters: PlatformParameters) throws(PlatformInvalid) -> Response {
        let ids = try parameters.list("endpoint_id", required: true)
        let known = ids.filter { state.catalog.endpoint($0) != nil }
        guard !known.isEmpty else { return PlatformReply.notFound("No pricing for \(ids.joined(separator: ", ")): not a loaded endpoint") }
        let prices: [JSONValue] = known.map { id in
            let price = state.configuration.platform.price(id)
            return ["endpoint_id": .string(id), "unit_price": .double(price.unitPrice), "unit": .string(price.unit), "currency": .string(price.currency)]
        }
        return Reply.json(["prices": .array(prices), "next_cursor": .null, "has_more": false])
    }

    /// `POST /v1/models/pricing/estimate`: `historical_api_price` (calls × unit price) or `unit_price` (units × unit price).
    private func estimate(_ request: Request) async -> Response {
        let body: JSONValue
        switch await BodyReader.jsonObject(request, limit: state.configuration.maxJSONBodyBytes) {
        case .success(let parsed): body = parsed.value
        case .failure: return PlatformReply.invalid("the body must be a JSON object")
        }
        guard let type = body["estimate_type"]?.stringValue, ["historical_api_price", "unit_price"].contains(type) else {
            return PlatformReply.invalid("estimate_type: must be historical_api_price or unit_price")
        }
        guard let endpoints = body["endpoints"]?.objectValue, !endpoints.isEmpty else {
            return PlatformReply.invalid("endpoints: must be an object of endpoint ids, with at least one")
        }
        let field = type == "unit_price" ? "unit_quantity" : "call_quantity"
        var total = 0.0
        var currency = state.configuration.platform.defaultPrice.currency
        for id in endpoints.keys.sorted() {
            guard state.catalog.endpoint(id) != nil else { return PlatformReply.invalid("endpoints.\(id): not a loaded endpoint") }
            let quantity = endpoints[id]?[field]?.number
            guard let quantity, quantity.isFinite, type == "unit_price" ? quantity > 0 : (quantity >= 1 && quantity.rounded() == quantity) else {
                return PlatformReply.invalid("endpoints.\(id).\(field): required, \(type == "unit_price" ? "a number > 0" : "an integer >= 1")")
            }
            let price = state.configuration.platform.price(id)
            total += quantity * price.unitPrice
            currency = price.currency
        }
        return Reply.json(["estimate_type": .string(type), "total_cost": .double((total * 1e6).rounded() / 1e6), "currency": .string(currency)])
    }
}

extension Data {
    /// Without trailing spaces and newlines (a document file's final newline), so it splices into JSON cleanly.
    func trimmingTrailingWhitespace() -> Data {
        var end = endIndex
        while end > startIndex, [0x20, 0x0A, 0x0D, 0x09].contains(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
