extension Decoder {
    /// The string value of a union's `discriminator` property (`kind` in `{"kind": "circle", …}`).
    public func discriminator(_ property: String) throws -> String {
        try container(keyedBy: DiscriminatorKey.self).decode(String.self, forKey: DiscriminatorKey(stringValue: property))
    }
}

/// The one key a discriminator read needs.
struct DiscriminatorKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
