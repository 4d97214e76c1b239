import FalCore

/// What the printer prints: every named Swift type of one endpoint, with each field's Swift type
/// paired with the (resolved) schema whose constraints its `validate()` checks.
struct EndpointModel {
    var typeName: String
    var accessorName: String
    var endpoint: Endpoint
    var declarations: [TypeDeclaration]
}

/// A value position: its Swift type and the schema that constrains it.
struct Slot {
    var type: SwiftType
    /// Resolved (no top-level `.reference`) schema for constraint checks.
    var schema: Schema
    var optional: Bool
}

indirect enum SwiftType {
    case named(String, validates: Bool)
    /// A named type that contains itself with no array in between, boxed (`Indirect<TreeNode>`) so the
    /// containing struct has a finite size.
    case indirect(String, validates: Bool)
    case string
    case file
    case int
    case double
    case bool
    case json
    case array(Slot)
    case map(Slot)

    var code: String {
        switch self {
        case .named(let name, _): return name
        case .indirect(let name, _): return "Indirect<\(name)>"
        case .string: return "String"
        case .file: return "FalFile"
        case .int: return "Int"
        case .double: return "Double"
        case .bool: return "Bool"
        case .json: return "JSONValue"
        case .array(let element): return "[\(element.code)]"
        case .map(let value): return "[String: \(value.code)]"
        }
    }
}

extension Slot {
    var code: String { optional ? "\(type.code)?" : type.code }
}

struct TypeDeclaration {
    var name: String
    var meta: Schema.Metadata
    var body: Body
    /// Reachable from the Output: enums and unions tolerate values added later.
    var tolerant: Bool
    /// `Input` / `Output` conformances.
    var role: Role = .nested

    enum Role { case input, output, nested }

    enum Body {
        case structure([Property])
        case stringEnum([EnumCase])
        case union([UnionCase])
        /// A root Input/Output whose schema is not an object: the value itself, coded as a single value.
        case wrapper(Slot)
    }

    struct Property {
        var swiftName: String
        var key: String
        var slot: Slot
        var required: Bool
        var meta: Schema.Metadata
    }

    struct EnumCase {
        var swiftName: String
        var raw: String
    }

    struct UnionCase {
        var swiftName: String
        /// nil for a string preset flattened into the union (`.squareHD`), whose JSON is `raw`.
        var payload: Slot?
        var raw: String?
    }
}
