import FalCodegen
import FalCore
import Foundation

/// Fabricates an endpoint's output from the generator's IR of its output schema: every required field
/// present with a value the schema accepts, deterministic for a given input (and seed). Images are real
/// PNGs served by the emulator at `{base}/cdn/files/generated/…`, sized from `image_size`; other files are
/// small real files of the kind their field implies (`GeneratedFile`).
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
        // Any number may arrive here: schemas that do not declare `num_images` let it through unvalidated.
        return Int(clamping: requested, to: 1...16)
    }

    /// Walks the IR, producing a value for each schema.
    private struct Builder {
        let endpoint: Endpoint
        let filesURL: String

        func value(_ schema: Schema, name: String?, depth: Int, facts: inout Facts) -> JSONValue {
            let component: String? = if case .reference(let name) = schema.kind { name } else { nil }
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
            case .object(let object):
                if let file = file(object, name: name, component: component, example: preferred, facts: &facts) { return file }
                return self.object(object, depth: depth, facts: &facts)
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

        /// Most items fabricated for one array.
        static let maxFabricatedItems = 256

        private func array(_ array: ArraySchema, name: String?, depth: Int, facts: inout Facts) -> JSONValue {
            let count: Int
            switch name {
            case "images", "has_nsfw_concepts": count = facts.imageCount
            default: count = max(array.minItems ?? 1, 1)
            }
            // A document's `minItems` may be huge and its `maxItems` negative: the count stays in 0...maxFabricatedItems.
            let wanted = max(count, array.prefixItems.count, array.minItems ?? 0)
            let bounded = max(0, min(wanted, array.maxItems ?? Int.max, Self.maxFabricatedItems))
            let element = name.map { $0.hasSuffix("s") ? String($0.dropLast()) : $0 }
            return .array((0..<bounded).map { index in
                let schema = index < array.prefixItems.count ? array.prefixItems[index] : array.items
                guard let schema else { return .string("emulated") }
                return value(schema, name: element, depth: depth + 1, facts: &facts)
            })
        }

        private func object(_ object: ObjectSchema, depth: Int, facts: inout Facts) -> JSONValue {
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

        /// fal's `Image` / `File` objects (a `url` plus file facts) become files the emulator serves, of the
        /// kind the field implies (`GeneratedFile.kind`): PNGs sized from the input for images, small real
        /// files for video, audio, meshes, archives and the rest, with a matching `content_type`.
        private func file(_ object: ObjectSchema, name: String?, component: String?, example: JSONValue?, facts: inout Facts) -> JSONValue? {
            let names = Set(object.properties.map(\.name))
            guard names.contains("url"), !names.isDisjoint(with: ["width", "height", "content_type", "file_name"]) else { return nil }
            let hasDimensions = names.contains("width") || names.contains("height")
            let exampleURL = example?["url"]?.stringValue ?? example?.arrayValue?.first?["url"]?.stringValue
            let seed = UInt64(bitPattern: Int64(facts.seed))
            let index = facts.filesMade
            facts.filesMade += 1
            var fields: [String: JSONValue] = [:]
            if let kind = GeneratedFile.kind(field: name, component: component, exampleURL: exampleURL, hasDimensions: hasDimensions) {
                let file = GeneratedFile(kind: kind, seed: seed, index: index)
                fields["url"] = .string("\(filesURL)/\(file.fileName)")
                if names.contains("content_type") { fields["content_type"] = .string(kind.contentType) }
                if names.contains("file_name") { fields["file_name"] = .string(file.fileName) }
                if names.contains("file_size") { fields["file_size"] = .int(file.bytes.count) }
                return .object(fields)
            }
            // Images get the requested size; a file that is an image only by name is a small one.
            let size = hasDimensions ? facts.size : ImageSize(width: 64, height: 64)
            let image = GeneratedImage(width: size.width, height: size.height, seed: seed, index: index)
            fields["url"] = .string("\(filesURL)/\(image.pathComponent)")
            if names.contains("content_type") { fields["content_type"] = "image/png" }
            if names.contains("file_name") { fields["file_name"] = .string(image.fileName) }
            if names.contains("file_size") { fields["file_size"] = .int(image.byteCount) }
            if hasDimensions {
                fields["width"] = .int(image.width)
                fields["height"] = .int(image.height)
            }
            return .object(fields)
        }

        /// A value within the schema's bounds. The bounds come from a document, so any of them may be huge,
        /// fractional or inverted: the arithmetic stays in `Double` and in a range `Int` holds exactly.
        private func integer(in constraints: NumericConstraints, random: inout SeededRandom) -> Int {
            let limit = 9.0e15  // beyond 2^53 a Double no longer counts integers one by one
            let low = min(max(constraints.minimum ?? constraints.exclusiveMinimum.map { $0.rounded(.down) + 1 } ?? 0, -limit), limit)
            let high = min(max(constraints.maximum ?? constraints.exclusiveMaximum.map { $0.rounded(.up) - 1 } ?? low + 100, -limit), limit)
            let step = min(max((constraints.multipleOf ?? 1).rounded(.up), 1), limit)
            let start = (low / step).rounded(.up) * step
            let steps = ((high - start) / step).rounded(.down)
            guard steps >= 0 else { return Int(clamping: start, to: -9_000_000_000_000_000...9_000_000_000_000_000) }
            let offset = Double(random.next() % UInt64(Int(clamping: steps, to: 0...1_000_000) + 1)) * step
            return Int(clamping: start + offset, to: -9_000_000_000_000_000...9_000_000_000_000_000)
        }

        private func number(in constraints: NumericConstraints) -> Double {
            let low = constraints.minimum ?? constraints.exclusiveMinimum ?? 0
            let high = constraints.maximum ?? constraints.exclusiveMaximum ?? low + 1
            // Halves first: `low + high` overflows to infinity near Double's limits, which JSON cannot carry.
            let middle = low / 2 + high / 2
            return middle.isFinite ? middle : 0
        }

        /// Longest text fabricated to meet a `minLength` (a hostile document may ask for gigabytes).
        static let maxFabricatedLength = 1 << 16

        private func text(name: String?, constraints: StringConstraints) -> String {
            var text = "emulated \(name ?? "value")"
            if let minimum = constraints.minLength.map({ Swift.min($0, Self.maxFabricatedLength) }), text.count < minimum {
                text += String(repeating: "x", count: minimum - text.count)
            }
            if let maximum = constraints.maxLength, text.count > maximum { text = String(text.prefix(maximum)) }
            return text
        }
    }
}
