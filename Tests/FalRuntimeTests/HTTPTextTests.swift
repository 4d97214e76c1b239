import Testing
import Foundation
@testable import FalRuntime

@Suite("HTTP text helpers")
struct HTTPTextTests {
    @Test("header names compare ASCII case-insensitively and nothing else",
          arguments: [("Content-Type", "content-type", true), ("X-FAL-REQUEST-ID", "x-fal-request-id", true),
                      ("Accept", "Accept-Encoding", false), ("Accept", "Accep", false), ("A@", "a`", false),
                      ("A[", "a{", false), ("", "", true), ("Retry-After", "Retry_After", false)])
    func headerNames(a: String, b: String, same: Bool) {
        #expect(HTTPHeaders.sameName(a, b) == same)
        var headers = HTTPHeaders([(a, "1")])
        #expect((headers[b] != nil) == same)
        headers.set(b, "2")
        #expect(headers.fields.count == (same ? 1 : 2))
    }

    @Test("response header lines kept as bytes read like parsed fields, and can be changed")
    func headerLines() {
        let raw = "Content-Type: application/json\r\nx-fal-request-id:  abc-123 \r\nobs-fold continuation\r\n: no name\r\nRetry-After:2\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
        var headers = HTTPHeaders(lines: Array(raw.utf8.split(separator: UInt8(ascii: "\n")).joined(separator: [UInt8(ascii: "\n")])) + [UInt8(ascii: "\n")])
        #expect(headers.fields.map(\.name) == ["Content-Type", "x-fal-request-id", "Retry-After", "Set-Cookie", "Set-Cookie"])
        #expect(headers["X-FAL-REQUEST-ID"] == "abc-123")
        #expect(headers["retry-after"] == "2")
        #expect(headers["Set-Cookie"] == "a=1")
        #expect(!headers.contains("Location"))
        headers.set("retry-after", "5")
        headers.remove("set-cookie")
        #expect(headers.fields.map(\.name) == ["Content-Type", "x-fal-request-id", "retry-after"])
        #expect(headers["Retry-After"] == "5")
    }

    @Test("percent-encoding keeps only RFC 3986 unreserved characters",
          arguments: [("3f1c-4b_a.z~", "3f1c-4b_a.z~"), ("a b/c?d", "a%20b%2Fc%3Fd"), ("é", "%C3%A9"),
                      ("https://x.test/h?a=1&b=2", "https%3A%2F%2Fx.test%2Fh%3Fa%3D1%26b%3D2"), ("", "")])
    func percentEncoding(raw: String, encoded: String) {
        #expect(FalClient.percentEncoded(raw) == encoded)
    }
}

/// fal's status and submit answers are read straight from the JSON text; these are the shapes fal sends.
@Suite struct QueueAnswerDecodingTests {
    @Test("status answers: each state, logs, metrics, errors, and strict types")
    func statusAnswers() throws {
        #expect(try QueueStatus(data: Data(#"{"status":"IN_QUEUE","queue_position":3,"request_id":"r"}"#.utf8)) == .inQueue(position: 3))
        #expect(try QueueStatus(data: Data(#"{"status":"IN_QUEUE"}"#.utf8)) == .inQueue(position: 0))
        let progress = try QueueStatus(data: Data(#"{"status":"IN_PROGRESS","logs":[{"message":"step 1","level":"INFO","source":"user","timestamp":"2026-01-01T00:00:00"},{"level":"DEBUG"}]}"#.utf8))
        #expect(progress == .inProgress(logs: [
            RequestLog(message: "step 1", level: "INFO", source: "user", timestamp: "2026-01-01T00:00:00"), RequestLog(message: "", level: "DEBUG"),
        ]))
        let completed = try QueueStatus(data: Data(#"{"status":"COMPLETED","logs":null,"metrics":{"inference_time":1.25},"error":"boom","error_type":"runner_error","status":"ignored"}"#.utf8))
        #expect(completed == .completed(logs: [], metrics: ["inference_time": .double(1.25)], error: "boom", errorType: "runner_error"))
        for (json, path) in [(#"{"status":"DONE"}"#, "status"), (#"{"queue_position":1}"#, "status"), (#"{"status":"IN_QUEUE","queue_position":"x"}"#, "queue_position"),
                             (#"{"status":"COMPLETED","error":7}"#, "error"), (#"["status"]"#, ""), (#"{"status":"#, "")] {
            let error = #expect(throws: FalError.self, "\(json)") { try QueueStatus(data: Data(json.utf8)) }
            guard case .decoding(let actual, _)? = error else { Issue.record("\(json): \(String(describing: error))"); continue }
            #expect(actual == path, "\(json)")
        }
    }

    @Test("submit answers decode as QueueSubmission's Decodable conformance does")
    func submitAnswers() throws {
        let answers = [
            #"{"request_id":"abc","response_url":"https://queue.fal.run/a/b/requests/abc","status_url":"s","cancel_url":"c","queue_position":0,"gateway_request_id":"abc"}"#,
            #"{"request_id":"abc"}"#, #"{"request_id":"abc","queue_position":2.0,"status_url":null}"#,
        ]
        for json in answers {
            #expect(try QueueSubmission(data: Data(json.utf8)) == (try JSONDecoder().decode(QueueSubmission.self, from: Data(json.utf8))), "\(json)")
        }
        for (json, path) in [(#"{"response_url":"u"}"#, "request_id"), (#"{"request_id":5}"#, "request_id"), (#"{"request_id":"a","queue_position":1.5}"#, "queue_position")] {
            let error = #expect(throws: FalError.self, "\(json)") { try QueueSubmission(data: Data(json.utf8)) }
            guard case .decoding(let actual, _)? = error else { Issue.record("\(json): \(String(describing: error))"); continue }
            #expect(actual == path, "\(json)")
        }
    }
}
