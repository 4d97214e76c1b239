import Foundation
import Testing
@testable import FalRuntime

/// Regressions of issue 11's runtime defects that are not about timing: header injection, and the URLs
/// submit answers with.
@Suite("request hardening")
struct HardeningTests {
    let model = FakeFal.client().endpoint(TestModel.self)

    // Regression: header values were sent unchecked; libcurl sent `v\r\nInjected: yes` as two headers.
    @Test("CR, LF or NUL in a RequestOptions header or the runner hint is refused before any I/O",
          arguments: [RequestOptions(headers: ["X-Custom": "v\r\nInjected: yes"]), RequestOptions(runnerHint: "hint\nInjected: yes"),
                      RequestOptions(headers: ["X-Custom": "nul\u{0}byte"]), RequestOptions(headers: ["Bad Name": "v"])])
    func headerInjectionRefused(_ options: RequestOptions) async throws {
        let (tagged, faultID) = FakeFal.fault(nil)
        var options = options
        options.headers.merge(tagged.headers) { $1 }
        let error = await #expect(throws: FalError.self) {
            _ = try await model.subscribe(TestModel.Input(prompt: "p", imageURL: .data(Data("x".utf8), contentType: "image/png")), options: options)
        }
        guard case .validation(let issues)? = error else { Issue.record("expected validation, got \(String(describing: error))"); return }
        #expect(issues.allSatisfy { $0.path.description.hasPrefix("options.") })
        #expect(try await FakeFal.log().filter { $0.fault_id == faultID }.isEmpty)
    }

    // Regression: a local file's name went into X-Fal-File-Name unchanged (CR and LF are legal in Linux names).
    @Test("a file name with CR/LF is sanitized for X-Fal-File-Name, and the upload goes on")
    func fileNameSanitized() async throws {
        let marker = UUID().uuidString
        let url = try await FakeFal.client().storage.upload(Data(marker.utf8), contentType: "text/plain", fileName: "a\(marker).png\r\nInjected: yes")
        #expect(!url.isEmpty)
        let names = try await FakeFal.log().compactMap { $0.headers["x-fal-file-name"] }.filter { $0.contains(marker) }
        #expect(names == ["a\(marker).png__Injected: yes"])
    }

    // Regression: the status, result and cancel URLs of submit's answer were never used.
    @Test("submit's URLs are followed when on the configured queue host, and replaced when not")
    func submissionURLs() throws {
        let hosts = FalHosts.emulator("http://127.0.0.1:9")
        func submission(_ response: String, _ status: String, _ cancel: String) throws -> QueueSubmission {
            try QueueSubmission(data: Data(#"{"request_id":"r1","response_url":"\#(response)","status_url":"\#(status)","cancel_url":"\#(cancel)"}"#.utf8))
        }
        let on = try submission("http://127.0.0.1:9/queue/fal-ai/x/requests/r1",
                                "http://127.0.0.1:9/queue/fal-ai/x/requests/r1/status", "http://127.0.0.1:9/queue/fal-ai/x/requests/r1/cancel")
        let followed = try QueueURLs("fal-ai/x/sub/path", submission: on, hosts: hosts)
        #expect(followed.statusStream(logs: true) == "http://127.0.0.1:9/queue/fal-ai/x/requests/r1/status/stream?logs=1")
        #expect(followed.result == on.responseURL)
        let off = try submission("https://evil.example/queue/r1", "http://127.0.0.1:9/queue.evil/r1/status", "http://127.0.0.1:9/queue/../x/cancel")
        let replaced = try QueueURLs("fal-ai/x", submission: off, hosts: hosts)
        #expect(replaced == (try QueueURLs("fal-ai/x", requestID: "r1", hosts: hosts)))
    }
}
