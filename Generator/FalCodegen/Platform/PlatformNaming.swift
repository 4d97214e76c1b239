/// Swift names for the Platform API: SwiftNames' rules, a few more acronyms (`cdnDeleteResults` → `cdnDeleteResults`,
/// `CDNDeleteResult`), plural array parameters, and the renames the document cannot express.
enum PlatformNaming {
    /// Words in capitals beyond SwiftNames' own (kept separate so the endpoint generator's names do not change).
    static let acronyms: Set<String> = ["cdn", "usd"]

    /// Parameter renames: fal's `q` reads as `search` at a Swift call site (`models(search: "flux")`).
    /// fal's `query` (requests search) reads as `text`, and leaves `query` to the generated code.
    static let parameterNames = ["q": "search", "query": "text"]

    /// Array parameters that are not nouns stay singular.
    static let singularParameters: Set<String> = ["expand"]

    /// Names a nested type may not take: they would hide the types the generated code itself uses.
    static let reservedTypeNames: Set<String> = [
        "String", "Int", "Double", "Bool", "JSONValue", "CodingKeys", "Optional", "Array", "Dictionary", "Type", "Protocol",
        "Self", "Any", "FalError", "FalPlatform", "Decoder", "Encoder", "DiscriminatorKey",
    ]

    /// `getModels` → `models`, `listRequestsByEndpoint` → `requestsByEndpoint`; other verbs stay (`estimatePricing`).
    static func method(_ operationID: String) -> String {
        for prefix in ["get", "list"] where operationID.hasPrefix(prefix) {
            let rest = operationID.dropFirst(prefix.count)
            if let first = rest.first, first.isUppercase { return lowerCamel(String(rest)) }
        }
        return lowerCamel(operationID)
    }

    /// `endpoint_id` → `endpointID`, or `endpointIDs` for an array parameter.
    static func parameter(_ name: String, plural: Bool) -> String {
        let base = lowerCamel(parameterNames[name] ?? name)
        guard plural, !singularParameters.contains(name) else { return base }
        if base.hasSuffix("ID") { return base + "s" }
        if base.hasSuffix("s") { return base }
        return base + "s"
    }

    /// `billing_events` → `billing_event`, `prices` → `price`, `time_series` stays: the name of an array's item type.
    static func singular(_ name: String) -> String {
        if name.hasSuffix("series") || name.hasSuffix("ss") { return name }
        if name.hasSuffix("ies") { return String(name.dropLast(3)) + "y" }
        if name.hasSuffix("uses") || name.hasSuffix("xes") { return String(name.dropLast(2)) }
        if name.hasSuffix("s") { return String(name.dropLast()) }
        return name
    }

    static func lowerCamel(_ text: String) -> String { withAcronyms(SwiftNames.lowerCamel(text), upper: false) }

    static func upperCamel(_ text: String) -> String { withAcronyms(SwiftNames.upperCamel(text), upper: true) }

    /// `cdnDeleteResults` stays (a first word is lower case), `CdnDeleteResult` → `CDNDeleteResult`.
    private static func withAcronyms(_ name: String, upper: Bool) -> String {
        var words = SwiftNames.words(name)
        guard words.contains(where: { acronyms.contains($0.lowercased()) }) else { return name }
        for index in words.indices where acronyms.contains(words[index].lowercased()) && (upper || index > 0) {
            words[index] = words[index].uppercased()
        }
        return words.joined()
    }

    /// A `"true"`/`"false"` string parameter (`bound_to_timeframe`): offered as `Bool`.
    static func isStringBool(_ schema: OrderedJSON) -> Bool {
        schema["type"]?.string == "string" && Set(schema["enum"]?.items?.compactMap(\.string) ?? []) == ["true", "false"]
    }
}
