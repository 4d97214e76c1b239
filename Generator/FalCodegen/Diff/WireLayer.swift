import FalCore

/// Layer two of the change report: `SchemaDiff`'s findings that the Swift declarations do not already account
/// for, named by the declaration they constrain (`FluxLora.ImageSize.width`, not the JSON path).
///
/// A wire change is dropped when layer one already said it (a removed field is a removed property, not also a
/// wire change); a newly required field stays, as runtime-breaking, beside the initializer that changed. What stays is what no Swift type shows: narrowed ranges, patterns, lengths and the
/// other checks of `validate()` (runtime-breaking), their relaxation (additive), defaults and descriptions (notice).
enum WireLayer {
    static func changes(old: [EndpointModel], new: [EndpointModel], excluding declared: [String: [APIChange]]) -> [String: [APIChange]] {
        let oldByID = Dictionary(old.map { ($0.endpoint.id, $0) }, uniquingKeysWith: { first, _ in first })
        var found: [String: [APIChange]] = [:]
        for after in new {
            guard let before = oldByID[after.endpoint.id] else { continue }
            let declaredHere = declared[after.endpoint.id] ?? []
            let seen = Set(declaredHere.map(\.symbol))
            let broken = Set(declaredHere.filter { $0.kind == .sourceBreaking }.map(\.symbol))
            let wire = SchemaDiff.compare(old: before.endpoint, new: after.endpoint, typeName: after.typeName)
            let paths = (new: BodyPaths(after), old: BodyPaths(before))
            for change in wire.changes where change.side != .endpoint {
                let root = change.side == .input ? "Input" : "Output"
                let member = paths.new.declaration(at: change.path, from: root) ?? paths.old.declaration(at: change.path, from: root) ?? root
                let symbol = "\(after.typeName).\(member)"
                // Already said in Swift terms: a breaking wire change under a declaration that breaks source, any other
                // under a declaration layer one reported (a new optional field is one new property, not two changes).
                let covering = change.kind == .breaking ? broken : seen
                guard !covering.contains(symbol), !covering.contains(where: { symbol.hasPrefix($0 + ".") }) else { continue }
                let kind: APIChange.Kind
                switch change.kind {
                case .breaking: kind = .runtimeBreaking
                case .additive: kind = .additive
                case .notice: kind = .notice
                }
                found[after.endpoint.id, default: []].append(APIChange(
                    kind: kind, side: change.side == .input ? .input : .output, declaration: member.contains(".") ? .property : .structure,
                    symbol: symbol, path: change.path, rule: .wire, message: change.message))
            }
        }
        return found
    }
}
