import Foundation

/// What the emulator's Platform API (`/v1/models…`) answers about prices and model status: a configurable table,
/// since prices are fal's business and not in any document.
public struct PlatformSettings: Sendable, Hashable {
    /// A model's price, as `GET /v1/models/pricing` reports it.
    public struct Price: Sendable, Hashable, Codable {
        /// Per billing unit, in `currency`.
        public var unitPrice: Double
        /// `image`, `video`, `megapixel`, `second`…
        public var unit: String
        /// ISO 4217, e.g. `USD`.
        public var currency: String

        public init(unitPrice: Double, unit: String = "image", currency: String = "USD") {
            self.unitPrice = unitPrice
            self.unit = unit
            self.currency = currency
        }

        enum CodingKeys: String, CodingKey {
            case unitPrice = "unit_price", unit, currency
        }
    }

    /// Prices by endpoint id.
    public var prices: [String: Price]
    /// The price of a loaded endpoint the table does not name.
    public var defaultPrice: Price
    /// Endpoints reported with status `deprecated` (all others are `active`).
    public var deprecated: Set<String>

    public init(prices: [String: Price] = [:], defaultPrice: Price = Price(unitPrice: 0.025), deprecated: Set<String> = []) {
        self.prices = prices
        self.defaultPrice = defaultPrice
        self.deprecated = deprecated
    }

    func price(_ id: String) -> Price { prices[id] ?? defaultPrice }

    /// A pricing table file: `{"prices": {"fal-ai/flux/dev": {"unit_price": 0.025, "unit": "megapixel", "currency": "USD"}},
    /// "default": {…}, "deprecated": ["…"]}`; every member optional.
    public static func load(_ data: Data) throws -> PlatformSettings {
        struct File: Decodable {
            var prices: [String: Price]?
            var `default`: Price?
            var deprecated: [String]?
        }
        let file = try JSONDecoder().decode(File.self, from: data)
        for (id, price) in file.prices ?? [:] where !(price.unitPrice >= 0 && price.unitPrice.isFinite) || price.currency.count != 3 {
            throw EmulatorError.configuration("prices[\(id)]: unit_price must be a finite number >= 0 and currency 3 letters")
        }
        return PlatformSettings(
            prices: file.prices ?? [:], defaultPrice: file.default ?? Price(unitPrice: 0.025), deprecated: Set(file.deprecated ?? []))
    }
}
