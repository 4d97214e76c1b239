import Foundation

/// What a schema change means for code written against the generated Swift API.
///
/// `fal-codegen diff` and `update` print one of these. The rules that decide each `kind` are listed in
/// `Generator/README.md` ("Change reports"); `SchemaDiff` applies them.
public struct APIChange: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// Code that compiled and passed `validate()` before may stop compiling, fail validation, or fail to decode.
        case breaking
        /// New capability; existing code keeps working.
        case additive
        /// Behaviour or documentation moved (a default, a description) without changing what compiles.
        case notice

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public enum Side: String, Sendable, Hashable, Codable, Comparable {
        /// The endpoint as a whole (added or removed).
        case endpoint
        /// The request body (`Input`).
        case input
        /// The result body (`Output`).
        case output

        private var rank: Int { self == .endpoint ? 0 : self == .input ? 1 : 2 }
        public static func < (lhs: Side, rhs: Side) -> Bool { lhs.rank < rhs.rank }
    }

    public var kind: Kind
    public var side: Side
    /// The field's JSON path in the body: `image_size.width`, `loras[].scale` (`[]` an array element,
    /// `{}` a map value); empty for the body itself.
    public var path: String
    /// The Swift symbol it affects: `FluxLora.Input.imageSize.width`.
    public var symbol: String
    /// One sentence.
    public var message: String

    public init(kind: Kind, side: Side, path: String, symbol: String, message: String) {
        self.kind = kind
        self.side = side
        self.path = path
        self.symbol = symbol
        self.message = message
    }
}

/// The changes of one endpoint, in walk order (input before output, fields in document order).
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
    public var hasBreakingChanges: Bool { allChanges.contains { $0.kind == .breaking } }

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

    /// `{"endpoints":[{"id":…,"changes":[{"kind":…,"side":…,"path":…,"symbol":…,"message":…}]}]}`, members in
    /// that order, two-space indented.
    public var json: String {
        let tree = OrderedJSON.object([("endpoints", .array(endpoints.map { endpoint in
            .object([
                ("id", .string(endpoint.id)),
                ("changes", .array(endpoint.changes.map { change in
                    .object([
                        ("kind", .string(change.kind.rawValue)), ("side", .string(change.side.rawValue)),
                        ("path", .string(change.path)), ("symbol", .string(change.symbol)),
                        ("message", .string(change.message)),
                    ])
                })),
            ])
        }))])
        return tree.serialized(indent: 2) + "\n"
    }

    /// One block per endpoint, one line per change, and a closing summary line.
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
                let location = change.side == .endpoint ? "(endpoint)" : change.path.isEmpty ? "(body)" : change.path
                out += "  \(change.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) "
                out += "\(change.side.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(location)  [\(change.symbol)]\n"
                out += "           \(change.message)\n"
            }
        }
        out += "\(endpoints.count) endpoint(s) changed: \(count(.breaking)) breaking, \(count(.additive)) additive, \(count(.notice)) notice.\n"
        return out
    }
}
