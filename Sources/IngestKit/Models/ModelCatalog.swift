import Foundation
import IngestCommon

/// The graph as data: the manifest (`ingestctl models ls --output json`) and Mermaid lineage.
public struct ModelCatalog: Sendable {
    public let graph: ModelGraph

    public init(_ graph: ModelGraph) { self.graph = graph }

    public struct Entry: Sendable, Codable {
        public struct ColumnEntry: Sendable, Codable {
            public var name: String
            public var description: String
            public var tests: [String]
        }
        public var name: String
        public var layer: String
        public var schema: String
        public var materialization: String
        public var tags: [String]
        public var description: String
        public var dependsOnModels: [String]
        public var dependsOnSources: [String]
        public var columns: [ColumnEntry]
        public var tests: [String]

        enum CodingKeys: String, CodingKey {
            case name, layer, schema, materialization, tags, description, columns, tests
            case dependsOnModels = "depends_on_models"
            case dependsOnSources = "depends_on_sources"
        }
    }

    public func entries(_ names: Set<String>? = nil) -> [Entry] {
        graph.order.filter { names?.contains($0) ?? true }.map { name in
            let node = graph.nodes[name]!
            let model = node.model
            return Entry(
                name: name, layer: model.layer.rawValue, schema: model.layer.schema, materialization: model.materialization.name,
                tags: model.tags, description: model.description, dependsOnModels: node.parents,
                dependsOnSources: node.sources.map { "\($0.schema).\($0.table)" },
                columns: model.columns.map { column in
                    .init(name: column.name, description: column.description, tests: column.tests.map { $0.name(model: name, column: column.name) })
                },
                tests: model.tests.map { $0.name(model: name, column: nil) })
        }
    }

    public func manifestJSON(_ names: Set<String>? = nil) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(["models": entries(names)])
    }

    /// A Mermaid flowchart of sources and models, left to right.
    public func mermaid(_ names: Set<String>? = nil) -> String {
        let shown = names ?? Set(graph.nodes.keys)
        var lines = ["graph LR"]
        var sources = Set<String>()
        for name in graph.order where shown.contains(name) {
            let node = graph.nodes[name]!
            lines.append("    \(name)[\"\(name)<br/>\(node.model.layer.rawValue) · \(node.model.materialization.name)\"]")
            for source in node.sources {
                let id = "source_\(source.schema)_\(source.table)"
                if sources.insert(id).inserted { lines.append("    \(id)[(\"\(source.schema).\(source.table)\")]") }
                lines.append("    \(id) --> \(name)")
            }
            for parent in node.parents where shown.contains(parent) {
                lines.append("    \(parent) --> \(name)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
