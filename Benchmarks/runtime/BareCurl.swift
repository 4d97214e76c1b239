import CCurl
import CCurlShim
import Foundation

/// The floor: bare libcurl easy interface making the same three requests (submit, status, result) on
/// one reused handle, with no JSON decoding beyond finding the request id and the status.
final class BareCurl {
    private let handle: UnsafeMutableRawPointer
    private var headers: UnsafeMutablePointer<curl_slist>?
    private var body = Data()
    /// Status requests made so far (more than one per round trip when the request was not yet done).
    private(set) var statusRequests = 0

    init(key: String, extraHeaders: [String]) {
        handle = curl_easy_init()
        headers = curl_slist_append(nil, "Authorization: Key \(key)")
        headers = curl_slist_append(headers, "Content-Type: application/json")
        for header in extraHeaders { headers = curl_slist_append(headers, header) }
        _ = fal_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headers)
        _ = fal_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = fal_curl_set_write_callback(handle, { data, size, count, userdata in
            let this = Unmanaged<BareCurl>.fromOpaque(userdata!).takeUnretainedValue()
            this.body.append(UnsafeRawPointer(data!).assumingMemoryBound(to: UInt8.self), count: size * count)
            return size * count
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headers)
    }

    private func perform(_ method: String, _ url: String, _ payload: String? = nil) throws -> Data {
        body.removeAll(keepingCapacity: true)
        _ = fal_curl_setopt_str(handle, CURLOPT_URL, url)
        if let payload {
            _ = fal_curl_setopt_long(handle, CURLOPT_POST, 1)
            _ = fal_curl_setopt_str(handle, CURLOPT_COPYPOSTFIELDS, payload)
        } else {
            _ = fal_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        }
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK, fal_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE) == 200 else {
            throw BenchmarkError("bare curl \(method) \(url) failed: \(code.rawValue) / HTTP \(fal_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE))")
        }
        return body
    }

    func get(_ url: String) throws -> Data { try perform("GET", url) }

    /// submit → status (until COMPLETED) → result.
    func roundTrip(queue: String, endpoint: String, app: String, payload: String) throws {
        let submitted = try perform("POST", "\(queue)/\(endpoint)", payload)
        guard let id = Self.string("request_id", in: submitted) else { throw BenchmarkError("no request_id") }
        let base = "\(queue)/\(app)/requests/\(id)"
        repeat { statusRequests += 1 } while Self.string("status", in: try perform("GET", base + "/status")) != "COMPLETED"
        _ = try perform("GET", base)
    }

    private static func string(_ key: String, in data: Data) -> String? {
        (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?[key] as? String
    }
}
