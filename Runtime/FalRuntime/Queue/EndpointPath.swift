/// An endpoint id split as fal's clients split it: `[namespace/]owner/alias[/path]`.
/// Submit and run use the whole id; status, result and cancel use only `[namespace/]owner/alias`.
struct EndpointPath: Sendable, Equatable {
    static let namespaces: Set<String> = ["workflows", "comfy"]

    var namespace: String?
    var owner: String
    var alias: String
    var path: String?

    init(_ id: String) throws(FalError) {
        var parts = id.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 {
            // Legacy ids such as `1234-my-app` mean owner `1234`, alias `my-app`.
            let id = parts[0]
            guard let dash = id.firstIndex(of: "-"), !id[..<dash].isEmpty, id[..<dash].allSatisfy(\.isNumber),
                  id[id.index(after: dash)...].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }),
                  id.index(after: dash) < id.endIndex
            else {
                throw FalError.configuration("invalid endpoint id '\(id)': expected owner/alias, e.g. fal-ai/fast-sdxl")
            }
            parts = [String(id[..<dash]), String(id[id.index(after: dash)...])]
        }
        if Self.namespaces.contains(parts[0]) {
            namespace = parts[0]
            parts.removeFirst()
        }
        guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw FalError.configuration("invalid endpoint id '\(id)': expected owner/alias, e.g. fal-ai/fast-sdxl")
        }
        owner = parts[0]
        alias = parts[1]
        let rest = parts.dropFirst(2).joined(separator: "/")
        path = rest.isEmpty ? nil : rest
    }

    /// `[namespace/]owner/alias`.
    var app: String { (namespace.map { "\($0)/" } ?? "") + "\(owner)/\(alias)" }
    /// `[namespace/]owner/alias[/path]`.
    var full: String { app + (path.map { "/\($0)" } ?? "") }
}
