/// Orders a structure's members as a Swift reader expects them.
enum MemberOrder {
    /// Initializer parameters (indices into `keys`): required ones first, then the optional ones, each in
    /// fal's order (`keys`), width before height within each group. Without `x-fal-order-properties` the
    /// document's member order is not fal's (documents stored with sorted keys lose it entirely), so required
    /// parameters follow `required`, which fal writes in field order.
    static func initializer(keys: [String], required: [String], hasFalOrder: Bool) -> [Int] {
        let requiredSet = Set(required)
        var first = keys.filter { requiredSet.contains($0) }
        if !hasFalOrder { first = required.filter { first.contains($0) }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
        let rest = keys.filter { !requiredSet.contains($0) }
        let index = Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return (widthBeforeHeight(first) + widthBeforeHeight(rest)).map { index[$0]! }
    }

    /// Every `…height` that comes before its `…width` (same prefix: `tile_height`, `tile_width`) swaps places with it.
    static func widthBeforeHeight(_ keys: [String]) -> [String] {
        var result = keys
        for key in keys where key.hasSuffix("height") {
            let width = String(key.dropLast("height".count)) + "width"
            guard let heightPosition = result.firstIndex(of: key), let widthPosition = result.firstIndex(of: width),
                heightPosition < widthPosition
            else { continue }
            result.swapAt(heightPosition, widthPosition)
        }
        return result
    }
}
