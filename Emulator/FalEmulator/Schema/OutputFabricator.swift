import FalCodegen
import FalCore
import Foundation

/// Fabricates an endpoint's output from the generator's IR of its output schema: every required field
/// present with a value the schema accepts, deterministic for a given input (and seed). Images are real
/// PNGs served by the emulator at `{base}/cdn/files/generated/…`, sized from `image_size`.
struct OutputFabricator: Sendable {
    /// Where generated files are served, e.g. `http://127.0.0.1:8080/cdn/files/generated`.
    let generatedFilesURL: String

    /// What the input decides about the output.
    struct Facts {
        var seed: Int
        var prompt: String?
        var size: ImageSize
        var imageCount: Int
        var random: SeededRandom
        var filesMade = 0
    }

    /// The seed a request runs with: the input's `seed` when given, else one derived from the input bytes.
    static func seed(for input: JSONValue) -> Int {
        if let number = input["seed"]?.number, number.isFinite, abs(number) < 9e15 { return Int(number) }
        return Int(SeededRandom.stableHash(JSONCoding.data(input)) % 4_294_967_296)
    }

    func fabricate(_ endpoint: Endpoint, input: JSONValue) -> JSONValue {
        let seed = Self.seed(for: input)
        let inputObject = endpoint.input.map(endpoint.resolve).flatMap { schema -> ObjectSchema? in
            if case .object(let object) = schema.kind { return object }
            return nil
        }
        var facts = Facts(
            seed: seed, prompt: input["prompt"]?.stringValue,
            size: Self.imageSize(input: input, inputSchema: inputObject, endpoint: endpoint),
            imageCount: Self.imageCount(input: input, inputSchema: inputObject, endpoint: endpoint),
            random: SeededRandom(seed: UInt64(bitPattern: Int64(seed))))
        guard let output = endpoint.output else { return .object([:]) }
        return Builder(endpoint: endpoint, filesURL: generatedFilesURL).value(output, name: nil, depth: 0, facts: &facts)
    }

    static func imageSize(input: JSONValue, inputSchema: ObjectSchema?, endpoint: Endpoint) -> ImageSize {
        if let size = ImageSize(input["image_size"]) { return size }
        if let schema = inputSchema?.property("image_size"), let size = ImageSize(endpoint.resolve(schema).meta.defaultValue) { return size }
        if let width = input["width"]?.number, let height = input["height"]?.number,
            let size = ImageSize(.object(["width": .double(width), "height": .double(height)]))
        {
            return size
        }
        return .fallback
    }

    static func imageCount(input: JSONValue, inputSchema: ObjectSchema?, endpoint: Endpoint) -> Int {
        let fallback = inputSchema?.property("num_images").flatMap { endpoint.resolve($0).meta.defaultValue?.number }
        let requested = input["num_images"]?.number ?? fallback ?? 1
        return max(1, min(Int(requested), 16))
    }

    /// Walks the IR, producing a value for each schema.
    private struct Builder {
        let endpoint: Endpoint
        let filesURL: String

        func value(_ schema: Schema, name: String?, depth: Int, facts: inout Facts) -> JSONValue {
            let schema = endpoint.resolve(schema)
            guard depth < 16 else { return schema.meta.nullable ? .null : .object([:]) }
            let preferred = schema.meta.defaultValue ?? schema.meta.examples.first
            switch schema.kind {
            case .any: return preferred ?? .object([:])
            case .null: return .null
            case .boolean: return preferred ?? .bool(false)
            case .integer(let constraints):
                if name == "seed" { return .int(facts.seed) }
                return preferred ?? .int(integer(in: constraints, random: &facts.random))
            case .number(let constraints):
                return preferred ?? .double(number(in: constraints))
            case .string(let constraints):
                if name == "prompt" { return .string(facts.prompt ?? "emulated prompt") }
                return preferred ?? .string(text(name: name, constraints: constraints))
            case .stringEnum(let values):
                if case .string(let chosen)? = preferred, values.contains(chosen) { return .string(chosen) }
                return values.first.map(JSONValue.string) ?? .null
            case .integerEnum(let values): return values.first.map(JSONValue.int) ?? .null
            case .mixedEnum(let values): return values.first ?? .null
            case .constant(let constant): return constant
            case .array(let array): return self.array(array, name: name, depth: depth, facts: &facts)
            case .object(let object): return self.object(object, depth: depth, facts: &facts)
            case .union(let union):
                return union.alternatives.first.map { value($0, name: name, depth: depth + 1, facts: &facts) } ?? .null
            case .allOf(let parts):
                var merged: [String: JSONValue] = [:]
                for part in parts {
                    guard case .object(let fields) = value(part, name: name, depth: depth + 1, facts: &facts) else { continue }
                    merged.merge(fields) { first, _ in first }
                }
                return .object(merged)
            case .reference:
                // An unresolvable reference (cycle without structure): the emptiest value.
                return schema.meta.nullable ? .null : .object([:])
            }
        }

        private func array(_ array: ArraySchema, name: String?, depth: Int, facts: inout Facts) -> JSONValue {
            let count: Int
            switch name {
            case "images", "has_nsfw_concepts": count = facts.imageCount
            default: count = max(array.minItems ?? 1, 1)
            }
            let bounded = min(max(count, array.prefixItems.count, array.minItems ?? 0), array.maxItems ?? Int.max)
            let element = name.map { $0.hasSuffix("s") ? String($0.dropLast()) : $0 }
            return .array((0..<bounded).map { index in
                let schema = index < array.prefixItems.count ? array.prefixItems[index] : array.items
                guard let schema else { return .string("emulated") }
                return value(schema, name: element, depth: depth + 1, facts: &facts)
            })
        }

        private func object(_ object: ObjectSchema, depth: Int, facts: inout Facts) -> JSONValue {
            if let file = file(object, facts: &facts) { return file }
            var fields: [String: JSONValue] = [:]
            for property in object.properties {
                let resolved = endpoint.resolve(property.schema)
                if object.isRequired(property.name) {
                    let essential = ["image", "images", "video", "audio", "file"].contains(property.name)
                    fields[property.name] = resolved.meta.nullable && !essential ? .null : value(property.schema, name: property.name, depth: depth + 1, facts: &facts)
                } else if !resolved.meta.nullable {
                    fields[property.name] = value(property.schema, name: property.name, depth: depth + 1, facts: &facts)
                }
            }
            if object.properties.isEmpty, case .schema(let entry) = object.additionalProperties {
                // A map such as `timings: {additionalProperties: number}`: one representative entry.
                let key = if case .number = endpoint.resolve(entry).kind { "inference" } else { "value" }
                fields[key] = value(entry, name: key, depth: depth + 1, facts: &facts)
            }
            return .object(fields)
        }

        /// fal's `Image` / `File` objects (a `url` plus file facts) become files the emulator serves.
        private func file(_ object: ObjectSchema, facts: inout Facts) -> JSONValue? {
            let names = Set(object.properties.map(\.name))
            guard names.contains("url"), !names.isDisjoint(with: ["width", "height", "content_type", "file_name"]) else { return nil }
            let isImage = names.contains("width") || names.contains("height")
            // Non-image files (latents, archives) are small placeholders; images get the requested size.
            let size = isImage ? facts.size : ImageSize(width: 8, height: 8)
            let image = GeneratedImage(width: size.width, height: size.height, seed: UInt64(bitPattern: Int64(facts.seed)), index: facts.filesMade)
            facts.filesMade += 1
            var fields: [String: JSONValue] = ["url": .string("\(filesURL)/\(image.pathComponent)")]
            if names.contains("content_type") { fields["content_type"] = "image/png" }
            if names.contains("file_name") { fields["file_name"] = .string(image.fileName) }
            if names.contains("file_size") { fields["file_size"] = .int(image.byteCount) }
            if isImage {
                fields["width"] = .int(image.width)
                fields["height"] = .int(image.height)
            }
            return .object(fields)
        }

        private func integer(in constraints: NumericConstraints, random: inout SeededRandom) -> Int {
            let low = constraints.minimum ?? constraints.exclusiveMinimum.map { $0 + 1 } ?? 0
            let high = constraints.maximum ?? constraints.exclusiveMaximum.map { $0 - 1 } ?? low + 100
            let step = max(constraints.multipleOf ?? 1, 1)
            let span = max(0, Int((high - low) / step))
            let start = (low / step).rounded(.up) * step
            return Int(start) + Int(random.next() % UInt64(span + 1)) * Int(step)
        }

        private func number(in constraints: NumericConstraints) -> Double {
            let low = constraints.minimum ?? constraints.exclusiveMinimum ?? 0
            let high = constraints.maximum ?? constraints.exclusiveMaximum ?? low + 1
            return (low + high) / 2
        }

        private func text(name: String?, constraints: StringConstraints) -> String {
            var text = "emulated \(name ?? "value")"
            if let minimum = constraints.minLength, text.count < minimum { text += String(repeating: "x", count: minimum - text.count) }
            if let maximum = constraints.maxLength, text.count > maximum { text = String(text.prefix(maximum)) }
            return text
        }
    }
}
