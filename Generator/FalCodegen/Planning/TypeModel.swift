import FalCore

/// What the printer prints: every named Swift type of one endpoint, each field's Swift type paired with
/// the (resolved) schema whose constraints its `validate()` checks, and every decision already taken
/// (initializer order, decoding strategy, defaults, which types validate anything).
struct EndpointModel {
    var typeName: String
    var accessorName: String
    var endpoint: Endpoint
    var declarations: [TypeDeclaration]
    /// Named types whose `validate()` can report something; calls into the others are not emitted.
    var validating: Set<String>
}

/// A value position: its Swift type and the schema that constrains it.
struct Slot {
    var type: SwiftType
    /// Resolved (no top-level `.reference`) schema for constraint checks.
    var schema: Schema
    var optional: Bool
}

/// fal's file descriptions shared by every endpoint (FalRuntime's `FalImage`, …): an output component
/// whose shape matches one is typed as it instead of a type of its own, so outputs chain into inputs.
enum SharedFileType: String, CaseIterable {
    case file = "FalOutputFile"
    case image = "FalImage"
    case video = "FalVideo"
    case audio = "FalAudio"
}

indirect enum SwiftType {
    case named(String)
    /// A named type that contains itself with no array in between, boxed (`Indirect<TreeNode>`) so the
    /// containing struct has a finite size.
    case indirect(String)
    case shared(SharedFileType)
    case string
    /// An input that takes a file: `FalFile` (a URL string literal, bytes, or a local file to upload).
    case file
    case int
    case double
    case bool
    case json
    case array(Slot)
    case map(Slot)

    var code: String {
        switch self {
        case .named(let name): return name
        case .indirect(let name): return "Indirect<\(name)>"
        case .shared(let type): return type.rawValue
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

    /// The named type this position validates through, if any.
    var namedTarget: String? {
        switch self {
        case .named(let name), .indirect(let name): return name
        default: return nil
        }
    }
}

extension Slot {
    var code: String { optional ? "\(type.code)?" : type.code }
}

struct TypeDeclaration {
    var name: String
    /// The documentation source: a component's own schema, or the inline schema (property metadata included).
    var meta: Schema.Metadata
    /// Where the schema is in the document (`#/components/schemas/ImageSize`), for the doc comment.
    var origin: String
    var body: Body
    /// Reachable from the Output: enums and unions tolerate values added later.
    var tolerant: Bool
    /// `Input` / `Output` conformances.
    var role: Role = .nested
    /// Other places an identical inline enum was found and this type is used for (`SigmasInput.method`).
    var alsoUsedAt: [String] = []

    enum Role { case input, output, nested }

    enum Body {
        case structure(Structure)
        case stringEnum([EnumCase])
        case union(Union)
        /// A root Input/Output whose schema is not an object: the value itself, coded as a single value.
        case wrapper(Slot)
    }

    struct Structure {
        /// Stored properties and coding keys, in fal's order.
        var properties: [Property]
        /// Indices into `properties`: the initializer's parameter order (required first, width before height).
        var initializerOrder: [Int]
        /// Inputs whose synthesized decoder would accept what the schema rejects get one written out.
        var strictDecoder: Bool
        /// Required but nullable fields are sent as `null`, which the synthesized encoder would omit.
        var explicitEncoder: Bool
        /// A union case's payload whose fields are all optional (`ImageSize` in `.custom(ImageSize)`): its
        /// initializer gives no `= nil` defaults, so `.custom(.init())`, an empty object meaning nothing
        /// custom, does not compile; each field is named, `nil` only when written out.
        var namesEveryArgument = false
    }

    struct Property {
        var swiftName: String
        var key: String
        var slot: Slot
        var required: Bool
        var meta: Schema.Metadata
        var decodeCall: DecodeCall
    }

    /// How a strict decoder reads one property.
    enum DecodeCall: Equatable {
        /// Required, not nullable: what synthesis does too.
        case value
        /// Required and nullable: the key must be there, `null` allowed.
        case nullableValue
        /// Optional and nullable: absent or `null` is nil.
        case ifPresent
        /// Optional, not nullable: absent is nil, `null` is an error.
        case ifKeyPresent
    }

    struct EnumCase {
        var swiftName: String
        var raw: String
    }

    struct Union {
        var cases: [UnionCase]
        var decoding: UnionDecoding
    }

    struct UnionCase {
        var swiftName: String
        /// nil for a string preset flattened into the union (`.squareHD`), whose JSON is `raw`.
        var payload: Slot?
        var raw: String?
    }

    enum UnionDecoding {
        /// `discriminator`: read `property`, pick the case its value maps to (values in document order).
        case discriminated(property: String, cases: [(value: String, caseName: String)])
        /// Try each shape: string presets first (`stringFallback` takes any other string, `wrapsFile` as
        /// `FalFile.url`), then payload cases in `attempts` order, most specific JSON shape first.
        case attempts(presets: [(raw: String, caseName: String)], stringFallback: String?, wrapsFile: Bool, attempts: [String])
    }
}
