/// An OpenAPI Overlay 1.0 document, restricted to what `schemas/overlays/README.md` allows:
/// `update` actions whose target is `$` followed by `.name` / `['name']` member steps.
public struct Overlay: Sendable {
    public struct Action: Sendable {
        public var target: String
        public var update: OrderedJSON
    }

    /// The document this overlay extends, as written (`../fal-ai__illusion-diffusion.json`).
    public var extends: String?
    public var actions: [Action]
    /// Where the overlay came from, for diagnostics.
    public var source: String

    public init(json: OrderedJSON, source: String) throws(CodegenError) {
        self.source = source
        guard json["overlay"]?.string != nil else {
            throw CodegenError(file: source, path: "$.overlay", message: "not an OpenAPI Overlay document (no `overlay` version)")
        }
        extends = json["extends"]?.string
        var actions: [Action] = []
        for (position, action) in (json["actions"]?.items ?? []).enumerated() {
            let where_ = "$.actions[\(position)]"
            guard let target = action["target"]?.string else {
                throw CodegenError(file: source, path: where_ + ".target", message: "missing target")
            }
            if action["remove"]?.bool == true {
                throw CodegenError(file: source, path: where_ + ".remove", message: "`remove` actions are not supported; use `update`")
            }
            guard let update = action["update"] else {
                throw CodegenError(file: source, path: where_ + ".update", message: "missing update")
            }
            actions.append(Action(target: target, update: update))
        }
        self.actions = actions
    }

    /// Applies every action in order. A target that selects nothing is an error: a silently
    /// ignored overlay would drop a constraint the user believes is enforced.
    public func apply(to document: OrderedJSON, documentName: String) throws(CodegenError) -> OrderedJSON {
        var result = document
        for (position, action) in actions.enumerated() {
            let steps = try Self.parse(target: action.target, source: source, position: position)
            guard let updated = Self.update(result, steps: steps[...], with: action.update) else {
                throw CodegenError(file: source, path: "$.actions[\(position)].target",
                    message: "\(action.target) selects nothing in \(documentName)")
            }
            result = updated
        }
        return result
    }

    static func parse(target: String, source: String, position: Int) throws(CodegenError) -> [String] {
        var steps: [String] = []
        var rest = Substring(target)
        guard rest.hasPrefix("$") else {
            throw CodegenError(file: source, path: "$.actions[\(position)].target", message: "target must start with $")
        }
        rest = rest.dropFirst()
        while !rest.isEmpty {
            if rest.hasPrefix("['") {
                // The closing `']` is looked for after the opening `['`: in `$[']x` they share the quote, and the name's
                // range ran backwards, a trap (found by OpenAPIMutation with an overlay target).
                let name = rest.dropFirst(2)
                guard let end = name.range(of: "']") else {
                    throw CodegenError(file: source, path: "$.actions[\(position)].target", message: "unterminated ['name'] step in \(target)")
                }
                steps.append(String(name[..<end.lowerBound]))
                rest = name[end.upperBound...]
            } else if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let name = rest.prefix(while: { $0 != "." && $0 != "[" })
                guard !name.isEmpty, !name.contains("*") else {
                    throw CodegenError(file: source, path: "$.actions[\(position)].target", message: "unsupported step in \(target)")
                }
                steps.append(String(name))
                rest = rest.dropFirst(name.count)
            } else {
                throw CodegenError(file: source, path: "$.actions[\(position)].target",
                    message: "unsupported JSONPath \(target): only $.name and $['name'] steps are allowed")
            }
        }
        return steps
    }

    private static func update(_ node: OrderedJSON, steps: ArraySlice<String>, with update: OrderedJSON) -> OrderedJSON? {
        guard let step = steps.first else {
            guard case .object = node else { return nil }
            return merge(node, update)
        }
        guard let child = node[step], let updated = Self.update(child, steps: steps.dropFirst(), with: update) else { return nil }
        return node.setting(step, to: updated)
    }

    /// Overlay `update` semantics: objects merge recursively, anything else replaces.
    static func merge(_ base: OrderedJSON, _ update: OrderedJSON) -> OrderedJSON {
        guard case .object = base, case .object(let changes) = update else { return update }
        var result = base
        for change in changes {
            result = result.setting(change.key, to: result[change.key].map { merge($0, change.value) } ?? change.value)
        }
        return result
    }
}
