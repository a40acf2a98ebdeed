import IngestCommon

/// The models of all registered sources as a graph, checked once:
/// names, refs to registered models, sources that exist, and no cycles.
///
/// Edges come from the models' typed `ref`s; nothing is parsed.
public struct ModelGraph: Sendable {
    public struct Node: Sendable {
        public let model: any Model.Type
        public var name: String { model.name }
        /// Models this one reads, by name.
        public let parents: [String]
        public let sources: [SourceRef]
        /// Models its tests read (relationships), by name; built before the tests run, but not graph parents.
        public let testRefs: [String]
    }

    public let nodes: [String: Node]
    /// Every model, parents before children (ties by name).
    public let order: [String]
    public let children: [String: [String]]

    public init(models: [any Model.Type], registeredDatasets: Set<String>) throws {
        var nodes: [String: Node] = [:]
        for model in models {
            let name = model.name
            guard Identifier.isSafe(name) else {
                throw IngestError("model name \"\(name)\" is not a safe snake_case identifier", fix: "rename it to \(Identifier.suggestion(for: name))")
            }
            guard model.layer.prefixes.contains(where: name.hasPrefix) else {
                throw IngestError("model \(name) is in layer \(model.layer.rawValue) but its name does not start with \(model.layer.prefixes.joined(separator: " or "))",
                                  fix: "name staging models stg_<source>__<dataset>, intermediate int_…, marts dim_… or fct_…")
            }
            if let other = nodes[name] {
                throw IngestError("two models are named \(name) (\(other.model) and \(model))", fix: "give each model its own name")
            }
            for source in model.sql.sources where !registeredDatasets.contains(source.qualifiedName) {
                throw IngestError("model \(name): source not found: \(source.qualifiedName) is not a registered dataset",
                                  fix: "add the source that owns \(source.qualifiedName) as a folder Sources/Sources/<Name>/ declaring <Name>Source; the next build registers it (ingestctl's generated RegisteredSources.swift)")
            }
            let testRefs = (model.tests + model.columns.flatMap(\.tests)).flatMap(\.refs).map { $0.name }
            nodes[name] = Node(model: model, parents: Self.unique(model.sql.refs.map { $0.name }), sources: Self.uniqueSources(model.sql.sources),
                               testRefs: Self.unique(testRefs))
        }
        for node in nodes.values {
            for parent in node.parents + node.testRefs where nodes[parent] == nil {
                throw IngestError("model \(node.name) refers to model \(parent), which no registered source lists",
                                  fix: "add \(parent)'s type to its source's `models`")
            }
        }
        var children: [String: [String]] = [:]
        for node in nodes.values { for parent in node.parents { children[parent, default: []].append(node.name) } }
        self.nodes = nodes
        self.children = children.mapValues { $0.sorted() }
        self.order = try Self.topologicalOrder(nodes)
    }

    static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    static func uniqueSources(_ sources: [SourceRef]) -> [SourceRef] {
        var seen = Set<SourceRef>()
        return sources.filter { seen.insert($0).inserted }
    }

    /// Kahn's algorithm; a cycle is reported with its full path.
    static func topologicalOrder(_ nodes: [String: Node]) throws -> [String] {
        var pending = nodes.mapValues { Set($0.parents) }
        var order: [String] = []
        while !pending.isEmpty {
            let ready = pending.filter { $0.value.isEmpty }.keys.sorted()
            guard !ready.isEmpty else {
                let cycle = findCycle(in: pending.keys.sorted(), nodes: nodes)
                throw IngestError("models form a cycle: \(cycle.joined(separator: " → "))", fix: "remove one of these refs; a model cannot depend on itself")
            }
            for name in ready {
                order.append(name)
                pending[name] = nil
            }
            for key in pending.keys { pending[key]!.subtract(ready) }
        }
        return order
    }

    static func findCycle(in candidates: [String], nodes: [String: Node]) -> [String] {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ name: String) -> [String]? {
            if state[name] == 2 { return nil }
            if state[name] == 1, let start = stack.firstIndex(of: name) { return Array(stack[start...]) + [name] }
            state[name] = 1
            stack.append(name)
            for parent in nodes[name]?.parents ?? [] {
                if let cycle = visit(parent) { return cycle }
            }
            stack.removeLast()
            state[name] = 2
            return nil
        }
        for name in candidates { if let cycle = visit(name) { return cycle.reversed() } }
        return candidates
    }

    public func ancestors(of name: String) -> Set<String> {
        var out = Set<String>()
        var queue = nodes[name]?.parents ?? []
        while let next = queue.popLast() {
            if out.insert(next).inserted { queue += nodes[next]?.parents ?? [] }
        }
        return out
    }

    public func descendants(of name: String) -> Set<String> {
        var out = Set<String>()
        var queue = children[name] ?? []
        while let next = queue.popLast() {
            if out.insert(next).inserted { queue += children[next] ?? [] }
        }
        return out
    }

    /// Names in graph order.
    public func ordered(_ names: Set<String>) -> [String] {
        order.filter(names.contains)
    }

    /// `names` with each model before the models of `names` it reads (dependents first), ties by name: the order a
    /// publish drops the relations it replaces in. Siblings are locked in name order, the order a model reading
    /// several of them names them in (`union all` over a list), so a publish and such a build never deadlock.
    public func dependentsFirst(_ names: Set<String>) -> [String] {
        var remaining = names
        var out: [String] = []
        while let next = remaining.filter({ descendants(of: $0).isDisjoint(with: remaining) }).min() {
            out.append(next)
            remaining.remove(next)
        }
        return out
    }
}
