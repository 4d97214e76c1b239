import FalCore

/// An endpoint id split the way fal's clients and queue split it: an optional namespace (`workflows/`,
/// `comfy/`), owner, alias, and the rest (a subpath for submits, `requests/{id}/…` for the queue API).
/// Status, result and cancel URLs use only `[namespace/]owner/alias`; submits use the full id.
struct AppPath: Sendable, Hashable {
    var namespace: Substring?
    var owner: Substring
    var alias: Substring
    var rest: [Substring]

    init?(segments: [Substring]) {
        var segments = segments[...]
        if let first = segments.first, falEndpointNamespaces.contains(first), segments.count >= 3 {
            namespace = first
            segments = segments.dropFirst()
        } else {
            namespace = nil
        }
        guard let owner = segments.first, !owner.isEmpty else { return nil }
        if segments.count == 1 {
            // fal's clients turn a legacy `123-alias` id into `123/alias`; accept the unsplit form too.
            guard let dash = owner.firstIndex(of: "-"), owner[..<dash].allSatisfy(\.isNumber), owner.index(after: dash) < owner.endIndex
            else { return nil }
            self.owner = owner[..<dash]
            self.alias = owner[owner.index(after: dash)...]
            self.rest = []
            return
        }
        self.owner = owner
        self.alias = segments[segments.index(after: segments.startIndex)]
        self.rest = Array(segments.dropFirst(2))
    }

    /// `[namespace/]owner/alias`: the part of queue URLs that identifies the app.
    var app: String { (namespace.map { "\($0)/" } ?? "") + "\(owner)/\(alias)" }

    /// The full endpoint id, with the subpath: `fal-ai/fast-sdxl/image-to-image`.
    var endpointID: String { ([app] + rest.map(String.init)).joined(separator: "/") }

    /// The queue sub-resource addressed by `rest`, when it is one.
    enum QueueResource: Equatable {
        case result(requestID: String)
        case status(requestID: String)
        case statusStream(requestID: String)
        case cancel(requestID: String)
    }

    /// The queue sub-resource addressed by `rest`, when it is one. fal's documents list these paths with the
    /// endpoint's subpath (`fal-ai/fast-sdxl/image-to-image/requests/{id}/status`) while the URLs submit
    /// returns omit it; both forms are accepted.
    var queueResource: QueueResource? { queueAddress?.resource }

    /// The subpath before `requests/…` (empty in the URLs submit returns).
    var queueSubpath: ArraySlice<Substring> { queueAddress?.subpath ?? [] }

    /// The endpoint id a queue URL names: `[namespace/]owner/alias` plus the subpath, if the URL carries one.
    var queueEndpointID: String { ([app] + queueSubpath.map(String.init)).joined(separator: "/") }

    private var queueAddress: (resource: QueueResource, subpath: ArraySlice<Substring>)? {
        guard let marker = rest.firstIndex(of: "requests"), marker + 1 < rest.count else { return nil }
        let id = String(rest[marker + 1])
        let resource: QueueResource
        switch rest[(marker + 2)...].map(String.init) {
        case []: resource = .result(requestID: id)
        case ["status"]: resource = .status(requestID: id)
        case ["status", "stream"]: resource = .statusStream(requestID: id)
        case ["cancel"]: resource = .cancel(requestID: id)
        default: return nil
        }
        return (resource, rest[..<marker])
    }
}
