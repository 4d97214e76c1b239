import Foundation

/// One difference between two versions of an endpoint's JSON schemas, found by `SchemaDiff`: the wire layer of
/// the change report. `APIDiff` keeps those the Swift API does not show (a narrowed range, a reworded description)
/// and names them by the Swift declaration they affect; the rules are in `Tests/Fixtures/diff/RULES.md`.
public struct WireChange: Sendable, Hashable, Codable {
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
public struct WireEndpointChanges: Sendable, Hashable, Codable {
    public var id: String
    public var changes: [WireChange]

    public init(id: String, changes: [WireChange]) {
        self.id = id
        self.changes = changes
    }
}

/// A whole comparison: every endpoint that changed, in endpoint id order.
public struct WireReport: Sendable, Hashable, Codable {
    public var endpoints: [WireEndpointChanges]

    public init(endpoints: [WireEndpointChanges]) {
        self.endpoints = endpoints.filter { !$0.changes.isEmpty }.sorted { $0.id < $1.id }
    }

    public var allChanges: [WireChange] { endpoints.flatMap(\.changes) }
    public var hasBreakingChanges: Bool { allChanges.contains { $0.kind == .breaking } }

    public func count(_ kind: WireChange.Kind) -> Int { allChanges.count { $0.kind == kind } }

    /// One block per endpoint, one line per change, and a closing summary line.
    public var text: String {
        guard !endpoints.isEmpty else { return "No changes on the wire.\n" }
        var out = ""
        for endpoint in endpoints {
            let tally = WireChange.Kind.allCases.compactMap { kind -> String? in
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
