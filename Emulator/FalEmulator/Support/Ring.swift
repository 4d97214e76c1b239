/// A fixed-capacity buffer keeping the most recent elements: appends are O(1), the oldest is overwritten.
struct Ring<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Appends, returning the element that fell out when full.
    @discardableResult
    mutating func append(_ element: Element) -> Element? {
        if storage.count < capacity {
            storage.append(element)
            return nil
        }
        let evicted = storage[next]
        storage[next] = element
        next = (next + 1) % capacity
        return evicted
    }

    /// Oldest first.
    var elements: [Element] { Array(storage[next...] + storage[..<next]) }

    var count: Int { storage.count }
}
