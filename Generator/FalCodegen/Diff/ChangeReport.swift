import Foundation

/// One change to the generated Swift API between two versions of fal's documents, named by the Swift
/// declaration it affects.
///
/// `fal-codegen diff` and `update` print these. `APIDiff` finds them in two layers: the planned Swift
/// declarations compared old against new (what compiles), then the JSON schemas (what validates and decodes).
/// The JSON shape and the rules are documented in `Generator/README.md` ("Change reports").
public struct APIChange: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// Code that compiled before may stop compiling: a declaration was removed or changed, an initializer's
        /// labels changed, or a case was added to an enum users `switch` over.
        case sourceBreaking = "source-breaking"
        /// Code still compiles, but a value that passed `validate()` before may now be refused (a narrowed range,
        /// a new pattern), or fal's responses or requests are judged differently on the wire.
        case runtimeBreaking = "runtime-breaking"
        /// New capability; existing code keeps compiling and working.
        case additive
        /// Documentation or a default moved, without changing what compiles or validates.
        case notice

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public enum Side: String, Sendable, Hashable, Codable, Comparable {
        /// The endpoint as a whole (its type and `FalClient` accessor).
        case endpoint
        /// The request body (`Input`) and the types it reaches.
        case input
        /// The result body (`Output`) and the types only it reaches.
        case output

        private var rank: Int { self == .endpoint ? 0 : self == .input ? 1 : 2 }
        public static func < (lhs: Side, rhs: Side) -> Bool { lhs.rank < rhs.rank }
    }

    /// What kind of Swift declaration `symbol` is.
    public enum Declaration: String, Sendable, Hashable, Codable {
        case endpoint
        case structure = "struct"
        case enumeration = "enum"
        case enumCase = "case"
        case property
        case initializer
        /// A `Defaults` constant.
        case constant
        /// `FalClient`'s endpoint accessor (`fal.fluxLora`).
        case accessor
        /// `validate(at:into:)`.
        case function
    }

    /// Why the change got its kind, as a stable identifier (the rules are listed in `Generator/README.md`):
    /// `removed`, `changed`, `added`, `output-case-added`, `input-case-added`, `initializer-grew`,
    /// `validate-default`, `wire`.
    public enum Rule: String, Sendable, Hashable, Codable {
        /// The declaration is gone.
        case removed
        /// Its type, its conformances or an initializer's labels changed.
        case changed
        /// A new declaration.
        case added
        /// A case of an enum reachable from an output: `switch` statements over it are no longer exhaustive.
        case outputCaseAdded = "output-case-added"
        /// A case of an enum only inputs use: users build these values, they do not `switch` over them.
        case inputCaseAdded = "input-case-added"
        /// The initializer gained parameters with defaults, its labels otherwise in the same order: every call
        /// that compiled still compiles, though the symbol (`init(prompt:)`) is another one.
        case initializerGrew = "initializer-grew"
        /// `validate(at:into:)` no longer checks anything, so `Validatable`'s default (which checks nothing) stands in.
        case validateDefault = "validate-default"
        /// Found in the JSON schemas, invisible in Swift types: a constraint, a default, a description.
        case wire
    }

    public var kind: Kind
    public var side: Side
    public var declaration: Declaration
    /// The Swift declaration, as `swift-api-digester` spells it: `FluxLora.ImageSize.width`,
    /// `FluxLora.Input.init(prompt:seed:)` (the old spelling when changed or removed), `FalClient.fluxLora`.
    public var symbol: String
    /// The field's JSON path in the body (`image_size.width`, `loras[].scale`; `[]` an array element, `{}` a map
    /// value), empty when the declaration is not a field.
    public var path: String
    public var rule: Rule
    /// One or two sentences.
    public var message: String

    public init(kind: Kind, side: Side, declaration: Declaration, symbol: String, path: String, rule: Rule, message: String) {
        self.kind = kind
        self.side = side
        self.declaration = declaration
        self.symbol = symbol
        self.path = path
        self.rule = rule
        self.message = message
    }
}

/// The changes of one endpoint: Swift declarations first (in declaration order), then the wire layer's.
public struct EndpointChanges: Sendable, Hashable, Codable {
    public var id: String
    public var changes: [APIChange]

    public init(id: String, changes: [APIChange]) {
        self.id = id
        self.changes = changes
    }
}

/// A whole comparison: every endpoint that changed, in endpoint id order.
public struct ChangeReport: Sendable, Hashable, Codable {
    public var endpoints: [EndpointChanges]

    public init(endpoints: [EndpointChanges]) {
        self.endpoints = endpoints.filter { !$0.changes.isEmpty }.sorted { $0.id < $1.id }
    }

    public var allChanges: [APIChange] { endpoints.flatMap(\.changes) }
    /// What `--fail-on-breaking` fails on: the generated public API lost or changed a declaration. Runtime-breaking
    /// changes do not fail it: they are reported, but nothing written against the API stops compiling.
    public var hasSourceBreakingChanges: Bool { allChanges.contains { $0.kind == .sourceBreaking } }

    public func count(_ kind: APIChange.Kind) -> Int { allChanges.count { $0.kind == kind } }

    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    public func rendered(as format: Format) -> String {
        switch format {
        case .text: return text
        case .json: return json
        }
    }

    /// `{"endpoints":[{"id":…,"changes":[{"kind":…,"side":…,"declaration":…,"symbol":…,"path":…,"rule":…,"message":…}]}]}`,
    /// members in that order, two-space indented.
    public var json: String {
        let tree = OrderedJSON.object([("endpoints", .array(endpoints.map { endpoint in
            .object([
                ("id", .string(endpoint.id)),
                ("changes", .array(endpoint.changes.map { change in
                    .object([
                        ("kind", .string(change.kind.rawValue)), ("side", .string(change.side.rawValue)),
                        ("declaration", .string(change.declaration.rawValue)), ("symbol", .string(change.symbol)),
                        ("path", .string(change.path)), ("rule", .string(change.rule.rawValue)),
                        ("message", .string(change.message)),
                    ])
                })),
            ])
        }))])
        return tree.serialized(indent: 2) + "\n"
    }

    /// One block per endpoint, one line per change (kind, Swift declaration, JSON path), and a closing summary line.
    public var text: String {
        guard !endpoints.isEmpty else { return "No changes to the Swift API.\n" }
        var out = ""
        for endpoint in endpoints {
            let tally = APIChange.Kind.allCases.compactMap { kind -> String? in
                let count = endpoint.changes.count { $0.kind == kind }
                return count == 0 ? nil : "\(count) \(kind.rawValue)"
            }
            out += "\(endpoint.id): \(tally.joined(separator: ", "))\n"
            for change in endpoint.changes {
                out += "  \(change.kind.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) "
                out += "\(change.declaration.rawValue) \(change.symbol)\(change.path.isEmpty ? "" : "  (\(change.path))")\n"
                out += "                   \(change.message)\n"
            }
        }
        let tally = APIChange.Kind.allCases.map { "\(count($0)) \($0.rawValue)" }.joined(separator: ", ")
        out += "\(endpoints.count) endpoint(s) changed: \(tally).\n"
        return out
    }
}
