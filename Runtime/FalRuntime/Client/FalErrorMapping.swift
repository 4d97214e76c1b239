import Foundation

/// Turns fal's error answers, transport failures and decoding failures into `FalError`.
enum FalErrorMapping {
    /// Bodies longer than this are cut in error messages; they are usually HTML pages.
    static let detailLimit = 2000

    static func error(from response: HTTPResponse) -> FalError {
        let requestID = response.headers["x-fal-request-id"]
        let json = try? JSONTapeDecoder().decode(JSONValue.self, from: response.body)
        if response.status == 422, let issues = validationIssues(json?["detail"]), !issues.isEmpty {
            return .validation(issues)
        }
        let errorType = json?["error_type"]?.stringValue ?? response.headers["x-fal-error-type"]
        let detail: String
        switch json?["detail"] {
        case .string(let text)?: detail = text
        case let value? where value != .null: detail = compactJSON(value)
        default: detail = String(decoding: response.body.prefix(detailLimit), as: UTF8.self)
        }
        return .http(status: response.status, detail: String(detail.prefix(detailLimit)), errorType: errorType, requestID: requestID)
    }

    /// The result endpoint's answer for a request that completed with an error, as fal serves it:
    /// 422 `detail[]` for input the model rejected (`.validation`), 400 with `request_cancelled`
    /// (`.cancelled`), 504 with `X-Fal-Request-Timeout-Type: user` when the caller's start timeout
    /// passed (`.timeout`); anything else (a runner's 500) stays the HTTP error with its detail.
    static func resultError(from response: HTTPResponse, requestID: String) -> FalError {
        let general = error(from: response)
        guard case .http(let status, _, let errorType, _) = general else { return general }
        if status == 504, response.headers["X-Fal-Request-Timeout-Type"]?.lowercased() == "user" { return .timeout(requestID: requestID) }
        if errorType == "request_cancelled" { return .cancelled(requestID: requestID) }
        return general
    }

    /// fal's (FastAPI's) 422 shape: `detail: [{loc: ["body", "image_size", "width"], msg, type}]`.
    static func validationIssues(_ detail: JSONValue?) -> [ValidationIssue]? {
        guard let entries = detail?.arrayValue else { return nil }
        var issues: [ValidationIssue] = []
        for entry in entries {
            guard let message = entry["msg"]?.stringValue else { return nil }
            let location = entry["loc"]?.arrayValue ?? []
            issues.append(ValidationIssue(path: FieldPath(location: location), message: message, type: entry["type"]?.stringValue))
        }
        return issues
    }

    static func error(from error: any Error) -> FalError {
        switch error {
        case let error as FalError: return error
        case let failure as TransportFailure: return .transport(kind: failure.kind, message: failure.message, code: failure.code)
        case is CancellationError: return .cancelled(requestID: nil)
        case let error as DecodingError: return decoding(error)
        default: return .configuration(String(describing: error))
        }
    }

    static func decoding(_ error: DecodingError) -> FalError {
        let (path, message): ([any CodingKey], String)
        switch error {
        case .typeMismatch(let type, let context): (path, message) = (context.codingPath, "expected \(type): \(context.debugDescription)")
        case .valueNotFound(let type, let context): (path, message) = (context.codingPath, "missing \(type) value: \(context.debugDescription)")
        case .keyNotFound(let key, let context): (path, message) = (context.codingPath + [key], "required key is missing")
        case .dataCorrupted(let context): (path, message) = (context.codingPath, context.debugDescription)
        @unknown default: (path, message) = ([], String(describing: error))
        }
        return .decoding(path: jsonPath(path).description, message: message)
    }

    /// `images[0].url` from a coding path, in the same notation as validation field paths.
    static func jsonPath(_ codingPath: [any CodingKey]) -> FieldPath {
        codingPath.reduce(FieldPath.root) { path, key in
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(index) {
                return path.index(index)
            }
            return path.key(key.stringValue)
        }
    }

    static func compactJSON(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
    }
}

/// JSON in and out of fal's API.
enum FalJSON {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(FalError) -> T {
        do {
            return try JSONTapeDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw FalErrorMapping.decoding(error)
        } catch {
            throw FalError.decoding(path: "", message: String(describing: error))
        }
    }

    static func encode<T: Encodable>(_ value: T, collector: FileUploadCollector? = nil) throws(FalError) -> Data {
        do {
            var streaming = StreamingJSONEncoder()
            if let collector { streaming.userInfo[FileUploadCollector.userInfoKey] = collector }
            if let data = try streaming.encode(value) { return data }
            // An encoding a stream cannot follow: JSONEncoder, with the placeholders handed out again.
            collector?.reset()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            if let collector { encoder.userInfo[FileUploadCollector.userInfoKey] = collector }
            return try encoder.encode(value)
        } catch let EncodingError.invalidValue(value, context) {
            throw FalError.validation([ValidationIssue(
                path: FalErrorMapping.jsonPath(context.codingPath), message: "\(value) cannot be encoded: \(context.debugDescription)")])
        } catch {
            throw FalError.configuration("cannot encode input: \(error)")
        }
    }
}
