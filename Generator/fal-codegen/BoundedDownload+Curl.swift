#if canImport(CCurlShim)
import CCurlShim
import FalCore
import Foundation

/// libcurl: a `Content-Length` over the cap is refused before any body byte is read (`CURLOPT_MAXFILESIZE_LARGE`),
/// and a body without one is counted as libcurl hands it over, the transfer aborting at the first byte past the cap.
///
/// Preferred to URLSession: FoundationNetworking (Linux) reads ahead with no backpressure and acts on a cancel
/// only later, so a fast server's whole body (256 MiB in a test) still arrived and sat in memory after the
/// delegate had cancelled at the cap.
extension BoundedDownload {
    /// The status and body of a GET of `url` (redirects followed, http and https only).
    /// `headers` are sent as given (the Platform API's `Authorization: Key …`).
    static func get(_ url: URL, limit: Int, timeout: Duration, headers: [(String, String)] = []) async throws -> Response {
        // A blocking transfer on its own thread: fetch and update download one document at a time.
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try perform(url, limit: limit, timeout: timeout, headers: headers) }) }.start()
        }
    }

    /// What the write callback collects; touched only by the thread running the transfer.
    private final class Sink {
        let limit: Int
        var body = Data()
        var overLimit = false
        init(limit: Int) { self.limit = limit }
    }

    private static func perform(_ url: URL, limit: Int, timeout: Duration, headers: [(String, String)]) throws -> Response {
        guard let handle = curl_easy_init() else { throw Failure.transfer("libcurl could not create a handle") }
        defer { curl_easy_cleanup(handle) }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { list = curl_slist_append(list, "\(name): \(value)") }
        defer { curl_slist_free_all(list) }
        let sink = Sink(limit: limit)
        return try withExtendedLifetime(sink) {
            func set(_ code: CURLcode) throws {
                guard code == CURLE_OK else { throw Failure.transfer(String(cString: curl_easy_strerror(code))) }
            }
            try set(fal_curl_setopt_str(handle, CURLOPT_URL, url.absoluteString))
            try set(fal_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
            try set(fal_curl_restrict_to_http(handle, 1))
            try set(fal_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1))
            try set(fal_curl_setopt_long(handle, CURLOPT_MAXREDIRS, 5))
            try set(fal_curl_setopt_str(handle, CURLOPT_ACCEPT_ENCODING, ""))  // the cap counts decoded bytes
            try set(fal_curl_setopt_str(handle, CURLOPT_USERAGENT, "fal-codegen"))
            if let list { try set(fal_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, list)) }
            try set(fal_curl_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limit)))
            try set(fal_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 10_000))
            try set(fal_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout.wholeMilliseconds)))
            try set(fal_curl_set_write_callback(handle, { data, size, count, userdata in
                let sink = Unmanaged<Sink>.fromOpaque(userdata!).takeUnretainedValue()
                let bytes = size * count
                guard sink.body.count + bytes <= sink.limit else {
                    sink.overLimit = true
                    return 0  // aborts the transfer (CURLE_WRITE_ERROR)
                }
                if let data { sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: bytes) }
                return bytes
            }, Unmanaged.passUnretained(sink).toOpaque()))
            let code = curl_easy_perform(handle)
            if sink.overLimit || code == CURLE_FILESIZE_EXCEEDED { throw Failure.tooLarge }
            if code == CURLE_OPERATION_TIMEDOUT { throw Failure.timedOut }
            guard code == CURLE_OK else { throw Failure.transfer(String(cString: curl_easy_strerror(code))) }
            return Response(status: fal_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE), body: sink.body)
        }
    }
}
#endif
