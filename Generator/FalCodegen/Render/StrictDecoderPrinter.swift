/// Inputs are strict (fal rejects what their schema rejects), but a synthesized `Decodable` reads an
/// explicit `null` as "absent" for every optional property and accepts a missing required-but-nullable
/// key. Structures only inputs use therefore get a decoder that keeps those apart; types an output
/// reaches keep the synthesized, tolerant one.
extension EndpointPrinter {
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

    static func decodeCall(_ property: TypeDeclaration.Property) -> DecodeCall {
        switch (property.required, property.slot.optional) {
        case (true, false): return .value
        case (true, true): return .nullableValue
        case (false, _): return property.slot.schema.meta.nullable ? .ifPresent : .ifKeyPresent
        }
    }

    /// Whether the synthesized decoder would accept values the schema rejects.
    static func needsStrictDecoder(_ declaration: TypeDeclaration, _ properties: [TypeDeclaration.Property]) -> Bool {
        !declaration.tolerant && properties.contains { [.nullableValue, .ifKeyPresent].contains(decodeCall($0)) }
    }

    static func printStrictDecoder(_ properties: [TypeDeclaration.Property], into out: inout CodeWriter) {
        out.block("public init(from decoder: any Decoder) throws") { out in
            out.line("let container = try decoder.container(keyedBy: CodingKeys.self)")
            for property in properties {
                let type = property.slot.type.code, key = ".\(property.swiftName)"
                let call: String
                switch decodeCall(property) {
                case .value: call = "decode(\(type).self, forKey: \(key))"
                case .nullableValue: call = "decode(\(type)?.self, forKey: \(key))"
                case .ifPresent: call = "decodeIfPresent(\(type).self, forKey: \(key))"
                case .ifKeyPresent: call = "decodeIfKeyPresent(\(type).self, forKey: \(key))"
                }
                out.line("self.\(SwiftNames.bare(property.swiftName)) = try container.\(call)")
            }
        }
    }
}
