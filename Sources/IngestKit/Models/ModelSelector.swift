import IngestCommon

/// dbt's node selection syntax over a `ModelGraph`.
///
/// `name`, `name+` (and descendants), `+name` (and ancestors), `+name+`,
/// `@name` (descendants and all their ancestors), `tag:x`, `layer:marts`,
/// `source:acme_portal` or `source:acme_portal.orders` (models reading it),
/// `*` wildcards in names; space for union, comma for intersection. A selector
/// that matches nothing is an error.
public struct ModelSelector: Sendable {
    public let graph: ModelGraph

    public init(_ graph: ModelGraph) { self.graph = graph }

    public func select(_ selection: String?, exclude: String? = nil) throws -> Set<String> {
        var selected = Set(graph.nodes.keys)
        if let selection, !selection.trimmingCharacters(in: .whitespaces).isEmpty {
            selected = try evaluate(selection)
        }
        if let exclude, !exclude.trimmingCharacters(in: .whitespaces).isEmpty {
            selected.subtract(try evaluate(exclude))
        }
        guard !selected.isEmpty else {
            throw IngestError("the selection \"\(selection ?? "")\"\(exclude.map { " --exclude \"\($0)\"" } ?? "") leaves no model to run",
                              fix: "check the selector; `ingestctl models ls` lists the models")
        }
        return selected
    }

    func evaluate(_ expression: String) throws -> Set<String> {
        var union = Set<String>()
        for term in expression.split(whereSeparator: \.isWhitespace) {
            var intersection: Set<String>?
            for atom in term.split(separator: ",") {
                let matched = try evaluateAtom(String(atom))
                intersection = intersection.map { $0.intersection(matched) } ?? matched
            }
            union.formUnion(intersection ?? [])
        }
        return union
    }

    func evaluateAtom(_ atom: String) throws -> Set<String> {
        var text = atom
        let at = text.hasPrefix("@")
        if at { text.removeFirst() }
        let up = text.hasPrefix("+")
        if up { text.removeFirst() }
        let down = text.hasSuffix("+")
        if down { text.removeLast() }
        let base = try match(text)
        guard !base.isEmpty else {
            throw IngestError("selector \"\(atom)\" matches no model", fix: nothingMatchedFix(text))
        }
        var result = base
        for name in base {
            if up { result.formUnion(graph.ancestors(of: name)) }
            if down || at { result.formUnion(graph.descendants(of: name)) }
        }
        if at {
            for name in result { result.formUnion(graph.ancestors(of: name)) }
        }
        return result
    }

    func match(_ method: String) throws -> Set<String> {
        let nodes = graph.nodes.values
        if let value = method.stripping("tag:") {
            return Set(nodes.filter { $0.model.tags.contains(value) }.map(\.name))
        }
        if let value = method.stripping("layer:") {
            guard let layer = ModelLayer(rawValue: value) else {
                throw IngestError("unknown layer \"\(value)\" in selector", fix: "use layer:staging, layer:intermediate or layer:marts")
            }
            return Set(nodes.filter { $0.model.layer == layer }.map(\.name))
        }
        if let value = method.stripping("source:") {
            return Set(nodes.filter { node in
                node.sources.contains { $0.sourceName == value || $0.qualifiedName == value }
            }.map(\.name))
        }
        if method.contains(":") {
            throw IngestError("unknown selector method in \"\(method)\"", fix: "use a model name, tag:, layer: or source:")
        }
        return Set(graph.nodes.keys.filter { Self.glob(method, matches: $0) })
    }

    /// The fix for a selector that matched nothing: what does exist of its kind (tags, sources, or the
    /// model names most like it), and the selector forms.
    func nothingMatchedFix(_ method: String) -> String {
        let nodes = graph.nodes.values
        func listed(_ values: [String]) -> String {
            values.isEmpty ? "none" : values.prefix(12).joined(separator: ", ") + (values.count > 12 ? ", …" : "")
        }
        if method.hasPrefix("tag:") {
            return "use a tag a model has: \(listed(Set(nodes.flatMap { $0.model.tags }).sorted())); `ingestctl models ls` lists each model's tags"
        }
        if method.hasPrefix("source:") {
            return "use a source or source.dataset that models read: \(listed(Set(nodes.flatMap { $0.sources.map(\.sourceName) }).sorted()))"
        }
        let names = graph.nodes.keys.sorted()
        let needle = method.replacingOccurrences(of: "*", with: "").lowercased()
        let parts = needle.split(whereSeparator: { $0 == "_" }).filter { $0.count > 2 }
        var alike = names.filter { name in !needle.isEmpty && (name.contains(needle) || needle.contains(name)) }
        if alike.isEmpty { alike = names.filter { name in parts.contains { name.contains($0) } } }
        let offer = alike.isEmpty ? "the models are: \(listed(names))" : "did you mean \(listed(alike))?"
        return "\(offer) A selector is a model name (`*` as a wildcard), tag:<tag>, layer:staging|intermediate|marts or source:<source>, with + for parents (+name) or children (name+)"
    }

    /// `*` matches any run of characters.
    static func glob(_ pattern: String, matches name: String) -> Bool {
        guard pattern.contains("*") else { return pattern == name }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(name)
        for (index, part) in parts.enumerated() {
            if index == 0 {
                guard rest.hasPrefix(part) else { return false }
                rest = rest.dropFirst(part.count)
            } else if index == parts.count - 1 {
                return part.isEmpty || rest.hasSuffix(part)
            } else if let range = rest.range(of: part) {
                rest = rest[range.upperBound...]
            } else {
                return false
            }
        }
        return rest.isEmpty
    }
}

extension String {
    func stripping(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
