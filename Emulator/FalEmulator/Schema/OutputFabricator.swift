import FalCore
import Foundation

/// Fabricates an endpoint's output from its output schema: every required field present with a value of
/// the right type, deterministic for a given input (and seed). Images are real PNGs served by the emulator
/// at `{base}/cdn/files/generated/…`, sized from `image_size`.
struct OutputFabricator: Sendable {
    /// Where generated files are served, e.g. `http://127.0.0.1:8080/cdn/files/generated`.
    let generatedFilesURL: String

    struct Facts {
        var seed: Int
        var prompt: String?
        var size: ImageSize
        var imageCount: Int
        var random: SeededRandom
        var imagesMade = 0
    }

    /// The seed a request runs with: the input's `seed` when given, else one derived from the input bytes.
    static func seed(for input: JSONValue) -> Int {
        if let number = input["seed"]?.number, number.isFinite, abs(number) < 9e15 { return Int(number) }
        return Int(SeededRandom.stableHash(JSONCoding.data(input)) % 4_294_967_296)
    }

    func fabricate(output: SchemaNode?, input: JSONValue, inputSchema: SchemaNode?) -> JSONValue {
        let seed = Self.seed(for: input)
        var facts = Facts(
            seed: seed,
            prompt: input["prompt"]?.stringValue,
            size: Self.imageSize(input: input, inputSchema: inputSchema),
            imageCount: Self.imageCount(input: input, inputSchema: inputSchema),
            random: SeededRandom(seed: UInt64(bitPattern: Int64(seed))))
        guard let output else { return .object([:]) }
        return value(for: output, name: nil, depth: 0, facts: &facts)
    }

    static func imageSize(input: JSONValue, inputSchema: SchemaNode?) -> ImageSize {
        if let size = ImageSize(input["image_size"]) { return size }
        if let size = ImageSize(inputSchema?.properties["image_size"]?.resolved["default"]) { return size }
        if let width = input["width"]?.number, let height = input["height"]?.number, let size = ImageSize(.object(["width": .double(width), "height": .double(height)])) {
            return size
        }
        return .fallback
    }

    static func imageCount(input: JSONValue, inputSchema: SchemaNode?) -> Int {
        let requested = input["num_images"]?.number ?? inputSchema?.properties["num_images"]?.resolved["default"]?.number ?? 1
        return max(1, min(Int(requested), 16))
    }

    private func value(for node: SchemaNode, name: String?, depth: Int, facts: inout Facts) -> JSONValue {
        let schema = node.resolved
        guard depth < 12 else { return .null }
        if let alternatives = node.alternatives {
            let chosen = alternatives.first { $0.type != "null" } ?? alternatives.first
            return chosen.map { value(for: $0, name: name, depth: depth + 1, facts: &facts) } ?? .null
        }
        if let constant = schema["const"] { return constant }
        if let options = schema["enum"]?.arrayValue, let first = options.first { return schema["default"] ?? first }

        switch name {
        case "seed" where node.type == "integer" || node.type == nil: return .int(facts.seed)
        case "prompt" where node.type == "string": return .string(facts.prompt ?? "emulated prompt")
        case "has_nsfw_concepts" where node.type == "array": return .array(Array(repeating: .bool(false), count: facts.imageCount))
        case "images" where node.type == "array":
            let item = node.child(schema["items"] ?? [:])
            return .array((0..<facts.imageCount).map { _ in value(for: item, name: "image", depth: depth + 1, facts: &facts) })
        default: break
        }

        switch node.type ?? (schema["properties"] != nil ? "object" : nil) {
        case "object":
            if isFile(schema) { return file(schema: schema, facts: &facts) }
            return object(node, depth: depth, facts: &facts)
        case "array":
            let item = node.child(schema["items"] ?? [:])
            let minimum = Int(schema["minItems"]?.number ?? 1)
            let maximum = Int(schema["maxItems"]?.number ?? Double(max(minimum, 1)))
            let count = max(0, min(max(minimum, 1), maximum))
            return .array((0..<count).map { _ in value(for: item, name: singular(name), depth: depth + 1, facts: &facts) })
        case "string":
            return schema["default"] ?? schema["examples"]?.arrayValue?.first ?? .string("emulated \(name ?? "value")")
        case "integer":
            if let fallback = schema["default"] ?? schema["examples"]?.arrayValue?.first { return fallback }
            let low = schema["minimum"]?.number ?? 0
            let high = schema["maximum"]?.number ?? low + 100
            return .int(Int(low) + Int(facts.random.next() % UInt64(max(1, Int(high - low) + 1))))
        case "number":
            if let fallback = schema["default"] ?? schema["examples"]?.arrayValue?.first { return fallback }
            let low = schema["minimum"]?.number ?? schema["exclusiveMinimum"]?.number ?? 0
            let high = schema["maximum"]?.number ?? low + 1
            return .double((low + high) / 2)
        case "boolean":
            return schema["default"] ?? .bool(false)
        case "null":
            return .null
        default:
            return schema["default"] ?? .object([:])
        }
    }

    private func object(_ node: SchemaNode, depth: Int, facts: inout Facts) -> JSONValue {
        let schema = node.resolved
        let required = Set(node.required)
        var fields: [String: JSONValue] = [:]
        for (key, property) in node.properties {
            if required.contains(key) {
                fields[key] = property.acceptsNull && !isEssential(key) ? .null : value(for: property, name: key, depth: depth + 1, facts: &facts)
            } else if !property.acceptsNull {
                fields[key] = value(for: property, name: key, depth: depth + 1, facts: &facts)
            }
        }
        if node.properties.isEmpty, let additional = schema["additionalProperties"], additional.objectValue != nil {
            // A map such as `timings: {additionalProperties: number}`: one representative entry.
            let entry = node.child(additional)
            let key = name(forMapOf: entry)
            fields[key] = value(for: entry, name: key, depth: depth + 1, facts: &facts)
        }
        return .object(fields)
    }

    /// Fields whose absence would make an output useless even where the schema allows null.
    private func isEssential(_ key: String) -> Bool { key == "image" || key == "images" || key == "video" }

    private func name(forMapOf entry: SchemaNode) -> String {
        entry.type == "number" ? "inference" : "value"
    }

    private func singular(_ name: String?) -> String? {
        guard let name, name.hasSuffix("s") else { return name }
        return String(name.dropLast())
    }

    /// fal's `Image`/`File` objects: a `url` plus file facts.
    private func isFile(_ schema: JSONValue) -> Bool {
        guard let properties = schema["properties"]?.objectValue, properties["url"] != nil else { return false }
        return properties["width"] != nil || properties["content_type"] != nil || properties["file_name"] != nil
    }

    private func file(schema: JSONValue, facts: inout Facts) -> JSONValue {
        let properties = schema["properties"]?.objectValue ?? [:]
        let isImage = properties["width"] != nil || properties["height"] != nil
        // Non-image files (latents, archives) are small placeholders; images get the requested size.
        let size = isImage ? facts.size : ImageSize(width: 8, height: 8)
        let image = GeneratedImage(width: size.width, height: size.height, seed: UInt64(bitPattern: Int64(facts.seed)), index: facts.imagesMade)
        facts.imagesMade += 1
        var fields: [String: JSONValue] = ["url": .string("\(generatedFilesURL)/\(image.pathComponent)")]
        if properties["content_type"] != nil { fields["content_type"] = "image/png" }
        if properties["file_name"] != nil { fields["file_name"] = .string(image.fileName) }
        if properties["file_size"] != nil { fields["file_size"] = .int(image.byteCount) }
        if isImage {
            fields["width"] = .int(image.width)
            fields["height"] = .int(image.height)
        }
        return .object(fields)
    }
}
