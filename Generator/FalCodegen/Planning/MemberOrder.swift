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

    /// The initializer order a names lock recorded (`locked`, JSON keys), for the structure planned as `planned`
    /// (indices into `keys`): the parameters it had keep their order, whatever fal did to `x-fal-order-properties`,
    /// so every call that compiled still does. New required parameters come after the last kept required one (calls
    /// must change for them anyway), new optional ones at the end, each in the planned order.
    static func keeping(_ locked: [String], planned: [Int], keys: [String], required: Set<String>) -> [Int] {
        let present = Set(keys)
        let kept = locked.filter { present.contains($0) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let added = planned.map { keys[$0] }.filter { !kept.contains($0) }
        var order = kept
        let afterRequired = (kept.lastIndex { required.contains($0) }).map { $0 + 1 } ?? 0
        order.insert(contentsOf: added.filter { required.contains($0) }, at: afterRequired)
        order += added.filter { !required.contains($0) }
        let index = Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return order.map { index[$0]! }
    }
}
