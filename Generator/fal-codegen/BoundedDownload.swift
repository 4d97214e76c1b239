import Foundation

/// One GET whose body is capped while it downloads, and bounded in time: connect within 10 s, the whole transfer
/// within `timeout`. Over libcurl where the package's `LibcurlTransport` trait is on (the default,
/// `BoundedDownload+Curl.swift`), over URLSession where it is off (`BoundedDownload+URLSession.swift`).
enum BoundedDownload {
    enum Failure: Error, CustomStringConvertible {
        /// More than the cap announced or received.
        case tooLarge
        case timedOut
        case transfer(String)

        var description: String {
            switch self {
            case .tooLarge: return "body over the size limit"
            case .timedOut: return "timed out"
            case .transfer(let message): return message
            }
        }
    }

    struct Response {
        var status: Int
        var body: Data
    }
}
