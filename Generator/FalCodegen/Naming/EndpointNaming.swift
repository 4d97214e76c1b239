/// Type and accessor names for endpoint ids: `fal-ai/illusion-diffusion` → `IllusionDiffusion` /
/// `illusionDiffusion`. fal's own `fal-ai/` owner is dropped; other owners stay (`bria/fibo/generate` →
/// `BriaFiboGenerate`). Ids that would share a name keep `_` at their `/` boundaries, then get a number,
/// in id order, so the result only depends on the set of ids.
enum EndpointNaming {
    /// Members `FalClient` has or will have; an accessor with one of these names gets an `Endpoint` suffix.
    static let clientMembers: Set<String> = [
        "endpoint", "run", "submit", "status", "result", "cancel", "subscribe", "upload", "storage", "queue",
        "configuration", "credentials", "key", "client", "id", "stream", "realtime", "session", "transport", "description",
    ]
    static let reservedTypes: Set<String> = TypePlanner.reservedTypeNames.union(["FalError", "FileUploadCollector", "JSONValue", "FalEndpoints", "Endpoints", "Exports"])

    /// With a names lock, an id it has keeps its recorded names (when they are still usable), and the others are
    /// named around them: adding an endpoint whose name collides with another's does not rename the other.
    static func names(for ids: [String], lock: NamesLock? = nil) -> [String: (type: String, accessor: String)] {
        func plain(_ id: String) -> String {
            let trimmed = id.hasPrefix("fal-ai/") ? String(id.dropFirst("fal-ai/".count)) : id
            return SwiftNames.upperCamel(trimmed)
        }
        func separated(_ id: String) -> String {
            let trimmed = id.hasPrefix("fal-ai/") ? String(id.dropFirst("fal-ai/".count)) : id
            return trimmed.split(separator: "/").map { SwiftNames.upperCamel(String($0)) }.joined(separator: "_")
        }
        let sorted = Array(Set(ids)).sorted()
        var counts: [String: Int] = [:]
        for id in sorted { counts[plain(id), default: 0] += 1 }
        var result: [String: (String, String)] = [:]
        var lockedTypes: Set<String> = [], lockedAccessors: Set<String> = []
        for (id, names) in (lock?.endpoints ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard SwiftNames.isIdentifier(names.type), !reservedTypes.contains(names.type), !lockedTypes.contains(names.type),
                  SwiftNames.isIdentifier(names.accessor), !clientMembers.contains(names.accessor), !lockedAccessors.contains(names.accessor)
            else { continue }
            lockedTypes.insert(names.type)
            lockedAccessors.insert(names.accessor)
            if ids.contains(id) { result[id] = (names.type, names.accessor) }
        }
        var registry = NameRegistry(reserved: reservedTypes.union(lockedTypes))
        var accessors = NameRegistry(reserved: clientMembers.union(lockedAccessors))
        for id in sorted where result[id] == nil {
            var base = counts[plain(id)]! > 1 ? separated(id) : plain(id)
            if reservedTypes.contains(base) { base += "Endpoint" }
            let type = registry.claim(base)
            var accessor = lowerFirst(type)
            if clientMembers.contains(accessor) || SwiftNames.keywords.contains(accessor) { accessor += "Endpoint" }
            result[id] = (type, accessors.claim(accessor))
        }
        return result
    }

    /// `IllusionDiffusion` → `illusionDiffusion`, `URLTools` → `urlTools`, `Flux_Dev` → `flux_Dev`.
    static func lowerFirst(_ type: String) -> String {
        let characters = Array(type)
        var upper = 0
        while upper < characters.count, characters[upper].isUppercase { upper += 1 }
        if upper == 0 { return type }
        let lowered = upper > 1 && upper < characters.count && characters[upper].isLowercase ? upper - 1 : upper
        return String(characters[..<lowered]).lowercased() + String(characters[lowered...])
    }
}
