// libFuzzer target, structure-aware: the input is a mutation script, not a document. It picks one of the real
// fal documents (schemas/, Tests/Fixtures/openapi), parsed once, and applies up to six mutations to its tree:
// a node chosen by walking down from the root is replaced (hostile values, another subtree of the document, a
// `$ref` to itself, an ancestor or nowhere), deleted, wrapped in anyOf/allOf/oneOf, renamed to a JSON Schema
// keyword, duplicated, or given a keyword with an odd value. The result is serialized and goes the CLI's way
// (OpenAPIFuzzSupport.swift), diffed against the unmutated document; one input in four also brings an overlay
// (`--overlays`) whose targets and updates come from the script. Mutated documents stay valid JSON, so
// libFuzzer's time goes to the checker, the IR builder, the planner, the printers and the diff.
import FalCodegen
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpenAPIMutation(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    var script = FuzzScript(Array(UnsafeBufferPointer(start: bytes, count: count)))
    let seeds = Seeds.all
    let seed = seeds[script.int16() % seeds.count]
    var tree = seed.tree
    for _ in 0..<script.int(7) {
        tree = Mutator(document: tree).mutate(&script)
    }
    let text = tree.serialized(sortedKeys: false, indent: script.bool() ? 2 : nil)
    // FUZZ_OPENAPI_TRACE=1 prints the seed, the mutated document and the overlay (to turn a finding into a test).
    if ProcessInfo.processInfo.environment["FUZZ_OPENAPI_TRACE"] != nil { print("seed: \(seed.name)\ndocument: \(text.prefix(20_000))") }
    var overlays: [Overlay] = []
    if script.int(4) == 0 {
        // An overlay file, as `--overlays` reads one: parsed from its text, then applied before the checks.
        let overlay = Mutator(document: tree).overlay(&script).serialized()
        if ProcessInfo.processInfo.environment["FUZZ_OPENAPI_TRACE"] != nil { print("overlay: \(overlay.prefix(2000))") }
        guard let json = try? OrderedJSONReader.read(Array(overlay.utf8)) else { return 0 }  // e.g. nested past the reader's limit
        do { overlays = [try Overlay(json: json, source: "fuzz.overlay.json")] } catch { _ = error.description; return 0 }
    }
    OpenAPIPipeline.run(Data(text.utf8), name: seed.name, overlays: overlays, baseline: { _ in seed.endpoint })
    return 0
}

/// One step down the tree: an object member (by position, so duplicate keys stay distinct) or an array item.
enum Step: Equatable {
    case member(Int)
    case item(Int)
}

struct Mutator {
    let document: OrderedJSON

    /// Walks down from the root while the script says so.
    func walk(_ script: inout FuzzScript) -> [Step] {
        var path: [Step] = []
        var node = document
        while script.int(5) != 0 {
            switch node {
            case .object(let members) where !members.isEmpty:
                let index = script.int16() % members.count
                path.append(.member(index))
                node = members[index].value
            case .array(let items) where !items.isEmpty:
                let index = script.int16() % items.count
                path.append(.item(index))
                node = items[index]
            default:
                return path
            }
        }
        return path
    }

    func node(at path: [Step]) -> OrderedJSON {
        var node = document
        for step in path {
            switch (step, node) {
            case (.member(let index), .object(let members)): node = members[index].value
            case (.item(let index), .array(let items)): node = items[index]
            default: return node
            }
        }
        return node
    }

    /// The JSON pointer of `path` (`#/components/schemas/X`).
    func pointer(_ path: [Step]) -> String {
        var node = document
        var pointer = "#"
        for step in path {
            switch (step, node) {
            case (.member(let index), .object(let members)):
                pointer += "/" + members[index].key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
                node = members[index].value
            case (.item(let index), .array(let items)):
                pointer += "/\(index)"
                node = items[index]
            default: return pointer
            }
        }
        return pointer
    }

    /// `document` with the node at `path` replaced by `change(node)`; nil removes it from its parent.
    static func modify(_ node: OrderedJSON, _ path: ArraySlice<Step>, _ change: (OrderedJSON) -> OrderedJSON?) -> OrderedJSON? {
        guard let step = path.first else { return change(node) }
        switch (step, node) {
        case (.member(let index), .object(var members)):
            if let changed = modify(members[index].value, path.dropFirst(), change) { members[index].value = changed } else { members.remove(at: index) }
            return .object(members)
        case (.item(let index), .array(var items)):
            if let changed = modify(items[index], path.dropFirst(), change) { items[index] = changed } else { items.remove(at: index) }
            return .array(items)
        default:
            return node
        }
    }

    static let keywords = [
        "$ref", "type", "anyOf", "oneOf", "allOf", "not", "enum", "const", "items", "prefixItems", "properties", "required",
        "additionalProperties", "patternProperties", "x-fal-order-properties", "discriminator", "default", "examples", "example",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern",
        "minItems", "maxItems", "uniqueItems", "nullable", "format", "title", "description", "x-fal-file-input", "readOnly",
        "writeOnly", "deprecated", "requestBody", "responses", "content", "application/json", "schema", "paths", "components",
        "schemas", "info", "x-fal-metadata", "endpointId", "openapi", "post", "get", "200", "parameters", "in", "name",
        "propertyName", "mapping", "self", "Type", "class", "_", "0", "", "a b", "é", "Input", "Output",
    ]

    static func hostile(_ script: inout FuzzScript) -> OrderedJSON {
        switch script.int(28) {
        case 0: return .null
        case 1: return .bool(script.bool())
        case 2: return .number(script.pick(["0", "-1", "1", "1.5", "-0", "1e400", "-1e400", "1e-400", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "0.1", "8", "1E2", "2e0"]))
        case 3: return .string(script.pick(["", "x", "null", "string", "integer", "object", "array", "#", "#/", "self", "Type", "class", "0abc", "é", "🦊", "a\"b", "\\", "\u{0}", String(repeating: "long", count: 500)]))
        case 4: return .string(script.shortText())
        case 5: return .array([])
        case 6: return .object([])
        case 7: return .string(script.pick(["string", "integer", "number", "boolean", "object", "array", "null", "file", "any"]))
        case 8: return .array([.string("string"), .string("null")])
        case 9: return .array([.string("integer"), .string("string"), .string("boolean")])
        case 10: return .array([.null])
        case 11: return .array([.string("a"), .string("a"), .string("A"), .string(""), .string("0"), .string("self"), .string("a-b"), .string("a_b")])
        case 12: return .array([.number("1"), .string("a"), .null, .bool(true), .number("1.5")])
        case 13: return .array([.number("1"), .number("1"), .number("-9223372036854775808"), .number("1e400")])
        case 14: return .object([(key: "type", value: .string("null"))])
        case 15: return .object([(key: "type", value: .string(script.pick(["string", "integer", "number", "boolean", "object", "array"])))])
        case 16: return .object([(key: "$ref", value: .string(script.pick(["#", "#/", "#/components", "#/components/schemas", "#/components/schemas/Nope", "#/components/schemas/A%20B", "#/components/schemas/~1", "#/components/schemas/~2", "#/paths/~1x", "#/0", "http://example.com/x.json", "..", "%", "#/components/schemas/%zz", "#/info/title"])))])
        case 17: return .object([(key: "anyOf", value: .array([]))])
        case 18: return .object([(key: "enum", value: .array([]))])
        case 19: return .object([(key: "type", value: .string("object")), (key: "properties", value: .object([(key: "", value: .object([])), (key: "self", value: .object([])), (key: "Self", value: .object([])), (key: "a-b", value: .object([])), (key: "a_b", value: .object([])), (key: "0", value: .object([]))]))])
        case 20: return .object([(key: "type", value: .string("array")), (key: "items", value: .array([.object([(key: "type", value: .string("string"))])]))])
        case 21: return .object([(key: "allOf", value: .array([.object([]), .bool(false)]))])
        case 22: return .object([(key: "type", value: .string("integer")), (key: "minimum", value: .number("10")), (key: "maximum", value: .number("1")), (key: "multipleOf", value: .number("1e-400"))])
        case 23: return .object([(key: "type", value: .string("string")), (key: "pattern", value: .string(script.pick(["(", "[", "\\", "(?<", "a{99999999999}", "(a*)*b", "\\p{Foo}"])))])
        case 24: return .object([(key: "oneOf", value: .array([.object([(key: "type", value: .string("string"))]), .object([(key: "type", value: .string("string"))])])), (key: "discriminator", value: .object([(key: "propertyName", value: .string("kind")), (key: "mapping", value: .object([(key: "a", value: .string("#/components/schemas/Nope")), (key: "b", value: .string("#"))]))]))])
        case 25: return .bool(false)
        case 26: return .object([(key: "type", value: .string("object")), (key: "additionalProperties", value: .object([(key: "$ref", value: .string("#"))]))])
        default: return .object([(key: "const", value: .object([(key: "a", value: .array([.null]))]))])
        }
    }

    /// An overlay with a few `update` actions: targets along a walk through the document's objects (written with
    /// `.name` or `['name']` steps) or put together from JSONPath's tokens; updates that are hostile values or
    /// other parts of the document.
    func overlay(_ script: inout FuzzScript) -> OrderedJSON {
        var actions: [OrderedJSON] = []
        for _ in 0..<(1 + script.int(3)) {
            var target = "$"
            if script.bool() {
                var node = document
                for step in walk(&script) {
                    guard case .member(let index) = step, let members = node.members else { break }
                    let key = members[index].key
                    target += script.bool() ? "['\(key)']" : ".\(key)"
                    node = members[index].value
                }
            } else {
                for _ in 0..<script.int(6) {
                    target += script.pick(["['", "']", "[", "]", "'", ".", "..", "*", "paths", "info", "components", "schemas", "title", "x", ""])
                }
            }
            var action: [(key: String, value: OrderedJSON)] = [(key: "target", value: .string(target))]
            switch script.int(8) {
            case 0: break  // no update
            case 1: action.append((key: "remove", value: .bool(true)))
            default: action.append((key: "update", value: script.bool() ? Self.hostile(&script) : node(at: walk(&script))))
            }
            actions.append(.object(action))
        }
        return .object([
            (key: "overlay", value: .string("1.0.0")), (key: "info", value: .object([(key: "title", value: .string("fuzz"))])),
            (key: "actions", value: .array(actions)),
        ])
    }

    func mutate(_ script: inout FuzzScript) -> OrderedJSON {
        let path = walk(&script)
        let target = node(at: path)
        let slice = path[...]
        let replacement: (OrderedJSON) -> OrderedJSON?
        switch script.int(12) {
        case 0, 1:
            let value = Self.hostile(&script)
            replacement = { _ in value }
        case 2:
            guard !path.isEmpty else { return document }
            replacement = { _ in nil }
        case 3:
            let other = node(at: walk(&script))
            replacement = { _ in other }
        case 4:
            // A keyword with a value, set on (or added to) an object.
            let key = script.pick(Self.keywords)
            let value = script.bool() ? Self.hostile(&script) : node(at: walk(&script))
            replacement = { node in node.members != nil ? node.setting(key, to: value) : node }
        case 5:
            let wrapper = script.pick(["anyOf", "oneOf", "allOf"])
            let nullable = script.bool()
            replacement = { node in
                .object([(key: wrapper, value: .array(nullable ? [node, .object([(key: "type", value: .string("null"))])] : [node, node]))])
            }
        case 6:
            // A reference to this node (a cycle through itself), to an ancestor, or to another node.
            let targets = [pointer(path), pointer(Array(path.dropLast(script.int(4)))), pointer(walk(&script))]
            let reference = script.pick(targets)
            let keepSiblings = script.bool()
            replacement = { node in
                keepSiblings && node.members != nil ? node.setting("$ref", to: .string(reference)) : .object([(key: "$ref", value: .string(reference))])
            }
        case 7:
            guard let members = target.members, !members.isEmpty else { return document }
            let index = script.int16() % members.count
            let key = script.bool() ? script.pick(Self.keywords) : script.shortText()
            replacement = { node in
                guard var members = node.members else { return node }
                members[index].key = key
                return .object(members)
            }
        case 8:
            guard let members = target.members, !members.isEmpty else { return document }
            let index = script.int16() % members.count
            let value = script.bool() ? members[index].value : Self.hostile(&script)
            replacement = { node in
                guard var members = node.members else { return node }
                members.append((key: members[index].key, value: value))  // the same key twice
                return .object(members)
            }
        case 9:
            replacement = { node in .array([node]) }
        case 10:
            // Deep nesting: the same wrapper many times over.
            let depth = 1 << script.int(11)
            replacement = { node in
                var nested = node
                for _ in 0..<depth { nested = .object([(key: "items", value: nested), (key: "type", value: .string("array"))]) }
                return nested
            }
        default:
            guard let items = target.items, !items.isEmpty else {
                let value = Self.hostile(&script)
                replacement = { _ in value }
                break
            }
            let first = script.int16() % items.count, second = script.int16() % items.count
            replacement = { node in
                guard var items = node.items else { return node }
                items.swapAt(first, second)
                items.append(items[first])
                return .array(items)
            }
        }
        return Self.modify(document, slice, replacement) ?? document
    }
}
