import Testing
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
