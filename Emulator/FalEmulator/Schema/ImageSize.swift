import FalCore

/// fal's `image_size` input: a preset name or a custom `{width, height}`.
struct ImageSize: Sendable, Hashable {
    var width: Int
    var height: Int

    static let presets: [String: ImageSize] = [
        "square_hd": .init(width: 1024, height: 1024),
        "square": .init(width: 512, height: 512),
        "portrait_4_3": .init(width: 768, height: 1024),
        "portrait_16_9": .init(width: 576, height: 1024),
        "landscape_4_3": .init(width: 1024, height: 768),
        "landscape_16_9": .init(width: 1024, height: 576),
    ]

    static let fallback = ImageSize(width: 1024, height: 1024)

    /// Reads a preset string or a `{width, height}` object; nil for anything else.
    init?(_ value: JSONValue?) {
        switch value {
        case .string(let name)?:
            guard let preset = Self.presets[name] else { return nil }
            self = preset
        case .object(let fields)?:
            guard let width = fields["width"]?.number, let height = fields["height"]?.number, width >= 1, height >= 1,
                width <= 1e6, height <= 1e6
            else { return nil }
            self.init(width: Int(width), height: Int(height))
        default:
            return nil
        }
    }

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}
