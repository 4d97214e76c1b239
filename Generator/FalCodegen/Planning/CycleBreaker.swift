/// A struct or enum that contains itself without an array or dictionary in between has infinite size in
/// Swift. Each such back edge (found depth-first, in declaration order) is boxed in FalCore's `Indirect`.
extension TypePlanner {
    mutating func breakDirectCycles() {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        let indexByName = Dictionary(declarations.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        func edge(_ type: inout SwiftType) {
            guard case .named(let target) = type, let next = indexByName[target] else { return }
            if state[target] == 1 { type = .indirect(target) } else if state[target] == nil { visit(next) }
        }
        func visit(_ index: Int) {
            state[declarations[index].name] = 1
            switch declarations[index].body {
            case .structure(var structure):
                for position in structure.properties.indices { edge(&structure.properties[position].slot.type) }
                declarations[index].body = .structure(structure)
            case .union(var union):
                for position in union.cases.indices where union.cases[position].payload != nil { edge(&union.cases[position].payload!.type) }
                declarations[index].body = .union(union)
            case .wrapper(var slot):
                edge(&slot.type)
                declarations[index].body = .wrapper(slot)
            case .stringEnum: break
            }
            state[declarations[index].name] = 2
        }
        for index in declarations.indices where state[declarations[index].name] == nil { visit(index) }
    }
}
