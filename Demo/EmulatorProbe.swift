import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads the emulator's request log (`GET /_emulator/requests`), so the demo can show what actually
/// reached the server: nothing for the invalid input, an upload before the submit for the local file.
struct EmulatorProbe {
    let baseURL: String
    /// The emulator's controls and logs answer only with a key, as fal's endpoints do.
    let key: String

    struct Counts {
        var total: Int
        var byOperation: [String: Int]
    }

    func counts() async throws -> Counts {
        var request = URLRequest(url: URL(string: "\(baseURL)/_emulator/requests")!)
        request.setValue("Key \(key)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let operations = (json["by_operation"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
        return Counts(total: (json["total"] as? NSNumber)?.intValue ?? 0, byOperation: operations)
    }
}
