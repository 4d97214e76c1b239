/// An endpoint id split as fal's clients split it: `[namespace/]owner/alias[/path]`.
/// Submit and run use the whole id; status, result and cancel use only `[namespace/]owner/alias`.
struct EndpointPath: Sendable, Equatable {
    /// `[namespace/]owner/alias`.
    let app: String
    /// `[namespace/]owner/alias[/path]`.
    let full: String

    /// One scan of the id, no intermediate arrays: it runs for every queue call.
    init(_ id: String) throws(FalError) {
        let invalid = FalError.configuration("invalid endpoint id '\(id)': expected owner/alias, e.g. fal-ai/fast-sdxl")
        guard let firstSlash = id.utf8.firstIndex(of: UInt8(ascii: "/")) else {
            // Legacy ids such as `1234-my-app` mean owner `1234`, alias `my-app`.
            guard let dash = id.firstIndex(of: "-"), !id[..<dash].isEmpty, id[..<dash].allSatisfy(\.isNumber),
                  id[id.index(after: dash)...].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }),
                  id.index(after: dash) < id.endIndex
            else { throw invalid }
            app = "\(id[..<dash])/\(id[id.index(after: dash)...])"
            full = app
            return
        }
        var ownerStart = id.startIndex
        if falEndpointNamespaces.contains(id[..<firstSlash]) { ownerStart = id.index(after: firstSlash) }
        guard let ownerEnd = id[ownerStart...].utf8.firstIndex(of: UInt8(ascii: "/")), ownerEnd > ownerStart else { throw invalid }
        let aliasStart = id.index(after: ownerEnd)
        let aliasEnd = id[aliasStart...].utf8.firstIndex(of: UInt8(ascii: "/")) ?? id.endIndex
        guard aliasEnd > aliasStart else { throw invalid }
        app = String(id[..<aliasEnd])
        // A trailing slash names no subpath.
        full = aliasEnd < id.endIndex && id.index(after: aliasEnd) == id.endIndex ? app : id
    }
}
