import FalCore
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal HTTP client for route tests (127.0.0.1 only): one call, the whole answer.
struct TestHTTP: Sendable {
    struct Answer: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data

        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: body) }
        var text: String { String(decoding: body, as: UTF8.self) }

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration)
    }()

    static let key = "test-key"

    static func send(
        _ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil,
        key: String? = TestHTTP.key, timeout: TimeInterval = 30
    ) async throws -> Answer {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let key { request.setValue("Key \(key)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = body
            if request.value(forHTTPHeaderField: "Content-Type") == nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)"] = "\(value)" }
        return Answer(status: http.statusCode, headers: fields, body: data)
    }

    static func json(_ method: String, _ url: String, _ value: JSONValue, headers: [String: String] = [:], key: String? = TestHTTP.key) async throws -> Answer {
        try await send(method, url, headers: headers, body: try JSONEncoder().encode(value), key: key)
    }

    /// Parses a server-sent-events body into its `data:` JSON payloads.
    static func events(_ body: Data) -> [JSONValue] {
        String(decoding: body, as: UTF8.self)
            .components(separatedBy: "\n\n")
            .compactMap { frame in
                let data = frame.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }.joined(separator: "\n")
                return data.isEmpty ? nil : try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8))
            }
    }
}
