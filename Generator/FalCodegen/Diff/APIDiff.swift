import FalCore

/// Compares two versions of fal endpoints and says what changes for code written against the generated Swift API.
///
/// Layer one compares what `generate` plans to emit on each side (`APISurface`): every type, member, initializer
/// label and its position, enum case, `Defaults` constant and shared file type, so a renamed component, a
/// reordered `x-fal-order-properties` or a default fal stopped documenting is reported as the Swift change it is.
/// Layer two is the JSON schemas (`SchemaDiff`): narrowed ranges and the like, which no Swift type shows, named
/// by the declaration they constrain. `scripts/api-digester-check.sh` (`make api-digester`) holds layer one to `swift-api-digester`.
public enum APIDiff {
    /// Both sets matched by endpoint id. OLD is named as `generate` names it with `lock` (the one beside the old
    /// documents, if any), NEW with the names OLD got, as `update` regenerates it (see `NamesLock`): a renamed
    /// component or a reordered `x-fal-order-properties` then changes no declaration, as it changes nothing in Swift.
    public static func compare(old: [Endpoint], new: [Endpoint], lock: NamesLock? = nil) -> ChangeReport {
        let before = Generator.plan(endpoints: old, lock: lock)
        let kept = (lock ?? NamesLock()).merging(NamesLock(models: before))
        let after = Generator.plan(endpoints: new, lock: kept)
        let declared = SurfaceComparison.changes(old: before.flatMap(APISurface.declarations(of:)),
                                                 new: after.flatMap(APISurface.declarations(of:)))
        let wire = WireLayer.changes(old: before, new: after, excluding: declared)
        let ids = Set(old.map(\.id)).union(new.map(\.id))
        return ChangeReport(endpoints: ids.map { id in
            EndpointChanges(id: id, changes: (declared[id] ?? []) + (wire[id] ?? []))
        })
    }
}

/// Layer one: old and new declarations paired by key, each difference classed by what it does to code that compiled.
enum SurfaceComparison {
    static func changes(old: [APIDeclaration], new: [APIDeclaration]) -> [String: [APIChange]] {
        let oldByKey = Dictionary(old.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let newByKey = Dictionary(new.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var found: [String: [APIChange]] = [:]
        func add(_ declaration: APIDeclaration, _ kind: APIChange.Kind, _ rule: APIChange.Rule, symbol: String? = nil, _ message: String) {
            found[declaration.endpointID, default: []].append(APIChange(
                kind: kind, side: declaration.side, declaration: declaration.kind, symbol: symbol ?? declaration.name,
                path: declaration.path, rule: rule, message: message))
        }
        // The members of a type removed or added are not listed again, as the digester does not list them. Those of
        // a type that became another kind of type (`ImageSize` a struct before, an enum now) are: they changed too.
        func listed(_ parent: String?, in other: [String: APIDeclaration]) -> Bool { parent.map { other[$0] != nil } ?? true }
        for before in old where listed(before.parent, in: newByKey) {
            guard let after = newByKey[before.key] else {
                removed(before, add)
                continue
            }
            if after.kind != before.kind {
                add(after, .sourceBreaking, .changed, symbol: before.name, "`\(before.name)` is now \(article(after.kind)) (was \(article(before.kind))).")
            } else {
                compare(before, after, add)
            }
        }
        for after in new where oldByKey[after.key] == nil && listed(after.parent, in: oldByKey) {
            added(after, add)
        }
        return found
    }

    private static func article(_ kind: APIChange.Declaration) -> String {
        kind == .enumeration || kind == .enumCase || kind == .endpoint ? "an \(kind.rawValue)" : "a \(kind.rawValue)"
    }

    typealias Reporter = (APIDeclaration, APIChange.Kind, APIChange.Rule, String?, String) -> Void

    private static func removed(_ declaration: APIDeclaration, _ add: Reporter) {
        let name = "`\(declaration.name)`"
        let message: String
        switch declaration.kind {
        case .endpoint: message = "Endpoint removed: \(name) and its accessor go away."
        case .accessor: message = "\(name) goes away with its endpoint."
        case .constant: message = "fal no longer documents this default: \(name) goes away."
        case .function: message = "\(name) goes away (`Validatable`'s default, which checks nothing, stands in); calls still compile."
        case .enumCase: message = "Case \(name) goes away."
        default: message = "\(name) goes away."
        }
        add(declaration, declaration.kind == .function ? .notice : .sourceBreaking,
            declaration.kind == .function ? .validateDefault : .removed, nil, message)
    }

    private static func added(_ declaration: APIDeclaration, _ add: Reporter) {
        let name = "`\(declaration.name)`"
        switch declaration.kind {
        case .enumCase where declaration.switchedOver:
            add(declaration, .sourceBreaking, .outputCaseAdded, nil,
                "New case \(name) of an enum outputs return: an exhaustive `switch` over it stops compiling.")
        case .enumCase:
            add(declaration, .additive, .inputCaseAdded, nil, "New case \(name).")
        case .endpoint:
            add(declaration, .additive, .added, nil, "Endpoint added: \(name).")
        case .constant:
            add(declaration, .additive, .added, nil, "fal now documents this default: \(name).")
        default:
            add(declaration, .additive, .added, nil, "New \(declaration.kind.rawValue) \(name)\(declaration.signature.isEmpty || declaration.kind != .property ? "" : ": `\(declaration.signature)`").")
        }
    }

    private static func compare(_ before: APIDeclaration, _ after: APIDeclaration, _ add: Reporter) {
        if before.kind == .initializer {
            compareInitializers(before, after, add)
            return
        }
        guard before.signature != after.signature else { return }
        switch before.kind {
        case .structure, .enumeration, .endpoint:
            let kept = Set(after.signature.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            let lost = before.signature.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !kept.contains($0) }
            if lost.isEmpty {
                add(after, .additive, .added, before.name, "`\(before.name)` now also conforms as `\(after.signature)`.")
            } else {
                add(after, .sourceBreaking, .changed, before.name,
                    "`\(before.name)` no longer conforms to \(lost.map { "`\($0)`" }.joined(separator: ", ")).")
            }
        default:
            add(after, .sourceBreaking, .changed, before.name,
                "`\(before.name)` changes type from `\(before.signature)` to `\(after.signature)`\(typeChangeNote(before.signature, after.signature)).")
        }
    }

    /// What the user sees of a type change that is easy to miss.
    private static func typeChangeNote(_ before: String, _ after: String) -> String {
        let shared = SharedFileType.allCases.map(\.rawValue)
        if shared.contains(where: { before.contains($0) }), !shared.contains(where: { after.contains($0) }) {
            return ": fal's file description grew a field, so it is no longer the shared file type and does not chain into `FalFile`"
        }
        if before.replacingOccurrences(of: "?", with: "") == after.replacingOccurrences(of: "?", with: "") {
            return ": optionality changed"
        }
        if before.replacingOccurrences(of: "FalFile", with: "String") == after.replacingOccurrences(of: "FalFile", with: "String") {
            return ": a file input and a plain string are different types"
        }
        return ""
    }

    private static func compareInitializers(_ before: APIDeclaration, _ after: APIDeclaration, _ add: Reporter) {
        guard before.parameters != after.parameters else { return }
        // Every old parameter is still there, in the same order with the same type, still defaulted where it was;
        // every new one has a default: each call that compiled still does.
        var remaining = after.parameters[...]
        var grew = true
        for parameter in before.parameters {
            guard let position = remaining.firstIndex(where: { $0.label == parameter.label }) else { grew = false; break }
            let skipped = remaining[remaining.startIndex..<position]
            let kept = remaining[position]
            if !skipped.allSatisfy(\.defaulted) || kept.type != parameter.type || (parameter.defaulted && !kept.defaulted) { grew = false; break }
            remaining = remaining[(position + 1)...]
        }
        if grew, remaining.allSatisfy(\.defaulted) {
            let labels = after.parameters.filter { parameter in !before.parameters.contains { $0.label == parameter.label } }.map { "`\($0.label):`" }
            add(after, .additive, .initializerGrew, before.name,
                "The initializer is now `\(after.name)`: new parameter\(labels.count == 1 ? "" : "s") \(labels.joined(separator: ", ")) with defaults; calls that compiled still compile.")
            return
        }
        add(after, .sourceBreaking, .changed, before.name, "The initializer changes from `\(before.name)` to `\(after.name)`: \(initializerDifference(before.parameters, after.parameters)).")
    }

    private static func initializerDifference(_ before: [APIDeclaration.Parameter], _ after: [APIDeclaration.Parameter]) -> String {
        let oldLabels = before.map(\.label), newLabels = after.map(\.label)
        if let missing = before.first(where: { !newLabels.contains($0.label) }) { return "`\(missing.label):` is gone" }
        if let required = after.first(where: { !$0.defaulted && !oldLabels.contains($0.label) }) {
            return "every call must now pass `\(required.label):`"
        }
        for parameter in before {
            guard let now = after.first(where: { $0.label == parameter.label }) else { continue }
            if now.type != parameter.type { return "`\(parameter.label):` takes `\(now.type)` instead of `\(parameter.type)`" }
            if parameter.defaulted && !now.defaulted { return "`\(parameter.label):` no longer has a default" }
        }
        return "the labels are in another order, so calls that pass them in the old order stop compiling"
    }
}
