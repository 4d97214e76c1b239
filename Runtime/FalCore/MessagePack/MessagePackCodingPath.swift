/// Where a value sits while `MessagePackEncoder` or `MessagePackDecoder` works on it: a linked list from
/// the value up to the root, turned into a `[CodingKey]` only when a container or an error asks.
indirect enum MessagePackCodingPath {
    case root
    case key(any CodingKey, MessagePackCodingPath)
    case index(Int, MessagePackCodingPath)

    var codingPath: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = self
        while true {
            switch node {
            case .root: return keys.reversed()
            case .key(let key, let parent): keys.append(key); node = parent
            case .index(let index, let parent): keys.append(MessagePackIndexKey(index)); node = parent
            }
        }
    }
}

/// An array position as a coding key, as `JSONDecoder` has it: "Index 3", integer value 3.
struct MessagePackIndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) { intValue = index; stringValue = "Index \(index)" }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(intValue) }
}

/// A map key or `super` as a coding key.
struct MessagePackNameKey: CodingKey {
    let stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { return nil }
}
