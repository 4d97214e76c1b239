/// The generator's model of one group of fal's Platform API (`fal-codegen platform --tag Models`): operations with
/// their parameters, request body and answer, and the Swift types those need, already named.

/// A Swift type of a parameter or property.
indirect enum PlatformType: Sendable, Hashable {
    case string, int, double, bool, json
    case array(PlatformType)
    /// An object whose members are all of one type (`additionalProperties`).
    case map(PlatformType)
    /// A type declared in the same scope (or an enclosing one), by Swift name.
    case named(String)

    var swift: String {
        switch self {
        case .string: return "String"
        case .int: return "Int"
        case .double: return "Double"
        case .bool: return "Bool"
        case .json: return "JSONValue"
        case .array(let element): return "[\(element.swift)]"
        case .map(let value): return "[String: \(value.swift)]"
        case .named(let name): return name
        }
    }
}

/// A nested type: a structure, an open set of string values, or a union tagged by one property.
struct PlatformDeclaration: Sendable {
    enum Kind: Sendable {
        case structure([PlatformField])
        /// A `RawRepresentable` string: the documented values as static members; others decode too.
        case values([String])
        /// `oneOf` objects told apart by `discriminator`'s single value: a case per alternative.
        case tagged(discriminator: String, cases: [PlatformCase])
        /// Another name for a type (an answer that is an array): its `nested` declarations sit beside it.
        case alias(PlatformType)
    }

    var name: String
    var documentation: String?
    var kind: Kind
    var nested: [PlatformDeclaration] = []
    /// For an alternative of a tagged union: its discriminator's JSON name and value, written when encoding.
    var tag: (key: String, value: String)?
    /// The answer of a paged operation: conforms to `FalPlatformPage`.
    var isPage = false
}

struct PlatformField: Sendable {
    var jsonName: String
    var swiftName: String
    var type: PlatformType
    /// Present and non-null in every value (else the Swift property is optional).
    var isRequired: Bool
    var documentation: String?
}

struct PlatformCase: Sendable {
    var swiftName: String
    var value: String
    var typeName: String
    var documentation: String?
}

/// A query, path or header parameter.
struct PlatformParameter: Sendable {
    enum Location: String, Sendable { case query, path, header }

    var name: String
    var swiftName: String
    var location: Location
    var type: PlatformType
    var isRequired: Bool
    var documentation: String?
    var minimum: String?
    var maximum: String?
    /// `"true"`/`"false"` strings, offered as `Bool`.
    var isStringBool = false
}

struct PlatformOperation: Sendable {
    var method: String
    var path: String
    var operationID: String
    /// `models`, `requestsByEndpoint`: the method's name.
    var swiftName: String
    /// `Models`: the namespace of the operation's types (`FalPlatform.Models.Response`).
    var namespace: String
    var summary: String?
    var documentation: String?
    var parameters: [PlatformParameter]
    /// The request body's type, declared in the namespace as `Request`.
    var body: PlatformDeclaration?
    /// The 2xx answer's type, declared in the namespace as `Response`; nil when it is not JSON.
    var response: PlatformDeclaration?
    /// What a 2xx answer without a JSON schema carries: bytes (a file, CSV, text) or nothing (204).
    var answersBytes = false
    /// Why the operation is not generated (a request body that is not JSON); nil for generated ones.
    var skipReason: String?
    /// Declarations of the parameters' own types (open string sets), in the namespace.
    var parameterTypes: [PlatformDeclaration]
    /// Cursor paging: the operation takes `cursor` and answers `next_cursor`.
    var isPaged: Bool
    /// For paged operations whose answer has exactly one required array: that field, iterated item by item.
    var items: PlatformField?
}
