import FalCore

/// The intermediate representation of one JSON schema, as the generator and the emulator see it.
///
/// A `Schema` is a `kind` (what values look like) plus `meta` (documentation and defaults). Named
/// component schemas are never inlined: they appear as `.reference(name)` and live in
/// `Endpoint.components`, which is what makes recursive schemas finite. Nullability is folded in:
/// `anyOf: [X, {type: null}]` becomes X's kind with `meta.nullable == true`.
public struct Schema: Sendable, Hashable {
    public var kind: Kind
    public var meta: Metadata

    public init(_ kind: Kind, meta: Metadata = Metadata()) {
        self.kind = kind
        self.meta = meta
    }

    public indirect enum Kind: Sendable, Hashable {
        /// `{}`, `true`, or a schema without any type information: any JSON value.
        case any
        /// `{type: "null"}` on its own.
        case null
        case boolean
        case integer(NumericConstraints)
        case number(NumericConstraints)
        case string(StringConstraints)
        /// `enum` of strings (`type: string` or inferred).
        case stringEnum([String])
        /// `enum` of integers.
        case integerEnum([Int])
        /// `enum` mixing JSON types.
        case mixedEnum([JSONValue])
        /// `const`.
        case constant(JSONValue)
        case array(ArraySchema)
        case object(ObjectSchema)
        /// `anyOf` / `oneOf` with at least two non-null alternatives.
        case union(UnionSchema)
        /// `allOf` with several parts; a single-part `allOf` is unwrapped.
        case allOf([Schema])
        /// A named component (`#/components/schemas/ImageSize` → `"ImageSize"`), looked up in `Endpoint.components`.
        case reference(String)
    }

    /// Documentation, defaults and flags that do not change which values are valid (except `nullable`).
    public struct Metadata: Sendable, Hashable {
        public var title: String?
        public var description: String?
        public var defaultValue: JSONValue?
        public var examples: [JSONValue] = []
        /// `null` is accepted as well (from `anyOf: [..., {type: null}]`, `nullable: true`, `type: [.., "null"]`).
        public var nullable = false
        /// A string field that takes a file URL: fal's `x-fal-file-input`, or an input property named `*_url` / `*_urls`.
        public var isFileInput = false
        public var deprecated = false

        public init() {}
    }
}

/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (numeric form), `multipleOf`.
public struct NumericConstraints: Sendable, Hashable {
    public var minimum: Double?
    public var maximum: Double?
    public var exclusiveMinimum: Double?
    public var exclusiveMaximum: Double?
    public var multipleOf: Double?

    public init() {}

    public var isEmpty: Bool { self == NumericConstraints() }
}

public struct StringConstraints: Sendable, Hashable {
    public var minLength: Int?
    public var maxLength: Int?
    /// ECMA-262, unanchored, as in JSON Schema.
    public var pattern: String?

    public init() {}

    public var isEmpty: Bool { self == StringConstraints() }
}

public struct ArraySchema: Sendable, Hashable {
    /// `items`: the schema of every element after the `prefixItems` (nil: anything).
    public var items: Schema?
    /// `prefixItems`: positional schemas for the first elements.
    public var prefixItems: [Schema] = []
    public var minItems: Int?
    public var maxItems: Int?
    public var uniqueItems = false

    public init(items: Schema?) { self.items = items }
}

public struct ObjectSchema: Sendable, Hashable {
    /// In `x-fal-order-properties` order, then any remaining properties in document order.
    public var properties: [Property]
    /// In document order.
    public var required: [String]
    public var additionalProperties: AdditionalProperties
    /// The schema has `x-fal-order-properties`: `properties` is in fal's order. Without it, the document's
    /// member order is all there is (and documents stored with sorted keys lost even that).
    public var hasFalOrder: Bool

    public init(properties: [Property], required: [String], additionalProperties: AdditionalProperties, hasFalOrder: Bool = false) {
        self.properties = properties
        self.required = required
        self.additionalProperties = additionalProperties
        self.hasFalOrder = hasFalOrder
    }

    public struct Property: Sendable, Hashable {
        /// fal's JSON key, exactly.
        public var name: String
        public var schema: Schema

        public init(name: String, schema: Schema) {
            self.name = name
            self.schema = schema
        }
    }

    public enum AdditionalProperties: Sendable, Hashable {
        /// Absent or `true`: extra keys are allowed and ignored.
        case allowed
        /// `false`.
        case forbidden
        /// A schema: extra keys are allowed when their values match it (a map when there are no properties).
        case schema(Schema)
    }

    public func property(_ name: String) -> Schema? { properties.first(where: { $0.name == name })?.schema }
    public func isRequired(_ name: String) -> Bool { required.contains(name) }
}

public struct UnionSchema: Sendable, Hashable {
    /// Alternatives in document order, `null` removed (see `Schema.Metadata.nullable`).
    public var alternatives: [Schema]
    /// `oneOf` (exactly one must match) rather than `anyOf` (at least one).
    public var exclusive: Bool
    /// OpenAPI's `discriminator`, when given.
    public var discriminator: Discriminator?

    public init(alternatives: [Schema], exclusive: Bool, discriminator: Discriminator? = nil) {
        self.alternatives = alternatives
        self.exclusive = exclusive
        self.discriminator = discriminator
    }

    /// `discriminator`: the property whose value names the alternative.
    public struct Discriminator: Sendable, Hashable {
        public var propertyName: String
        /// `mapping`: property value → component name (the `$ref` target of an alternative), in document order.
        public var mapping: [Mapping]

        public init(propertyName: String, mapping: [Mapping] = []) {
            self.propertyName = propertyName
            self.mapping = mapping
        }

        public struct Mapping: Sendable, Hashable {
            public var value: String
            public var component: String

            public init(value: String, component: String) {
                self.value = value
                self.component = component
            }
        }
    }
}

/// One fal endpoint: its id, documentation, and its input and output schemas with the components they use.
public struct Endpoint: Sendable, Hashable {
    /// `fal-ai/illusion-diffusion`.
    public var id: String
    /// fal's one-line title of the endpoint (`x-fal-metadata.about`, "Generate").
    public var summary: String?
    /// A longer description (`info.description`), unless it is the queue boilerplate every document carries.
    public var description: String?
    /// fal's category (`x-fal-metadata.category`, "text-to-image").
    public var category: String?
    /// The request body of the submit `POST` (nil when the document has none).
    public var input: Schema?
    /// The `200` body of the result `GET` (nil when the document has none).
    public var output: Schema?
    /// Component schemas by name (`components.schemas` keys), targets of `.reference`.
    public var components: [String: Schema]
    /// Component names in document order, for deterministic output.
    public var componentOrder: [String]
    /// The document file this came from.
    public var source: String

    public init(id: String, summary: String? = nil, description: String? = nil, category: String? = nil, input: Schema?, output: Schema?,
                components: [String: Schema], componentOrder: [String], source: String) {
        self.id = id
        self.summary = summary
        self.description = description
        self.category = category
        self.input = input
        self.output = output
        self.components = components
        self.componentOrder = componentOrder
        self.source = source
    }

    /// Follows `.reference`s (bounded, so a reference cycle without structure ends) to a structural schema.
    /// The returned metadata is the outermost non-empty one, so `description` next to a `$ref` wins.
    public func resolve(_ schema: Schema) -> Schema {
        var current = schema
        var hops = 0
        while case .reference(let name) = current.kind, let target = components[name], hops < 64 {
            var next = target
            next.meta = Schema.merge(outer: current.meta, inner: target.meta)
            current = next
            hops += 1
        }
        return current
    }

    /// Documented input examples: schema-level `examples` of the Input object, or one assembled from
    /// each property's first example (fal puts examples on properties), when every required property has one.
    public var inputExamples: [JSONValue] {
        guard let input else { return [] }
        let resolved = resolve(input)
        if !resolved.meta.examples.isEmpty { return resolved.meta.examples }
        guard case .object(let object) = resolved.kind else { return [] }
        var example: [String: JSONValue] = [:]
        for property in object.properties {
            let schema = resolve(property.schema)
            if let first = schema.meta.examples.first { example[property.name] = first }
        }
        guard object.required.allSatisfy({ example[$0] != nil }), !example.isEmpty else { return [] }
        return [.object(example)]
    }
}

extension Schema {
    /// Metadata of a `$ref` with sibling keywords: the siblings win, the target fills the gaps.
    public static func merge(outer: Metadata, inner: Metadata) -> Metadata {
        var merged = inner
        if let title = outer.title { merged.title = title }
        if let description = outer.description { merged.description = description }
        if let value = outer.defaultValue { merged.defaultValue = value }
        if !outer.examples.isEmpty { merged.examples = outer.examples }
        merged.nullable = outer.nullable || inner.nullable
        merged.isFileInput = outer.isFileInput || inner.isFileInput
        merged.deprecated = outer.deprecated || inner.deprecated
        return merged
    }
}
