import IngestCommon

/// The model lineage drawn as an inline SVG, on the server: the silver datasets the models read
/// in the first column, each model one column right of the deepest thing it reads (so staging,
/// intermediate and marts read left to right, and a mart built on a mart stands right of it), a
/// box per node coloured by layer and a curve per edge from what a model reads to the model.
/// No script, no external asset.
///
/// Each node is `<g class="node" data-name="…" data-layer="…">`, each edge
/// `<path class="edge" data-from="…" data-to="…">`, so a page's DOM can be checked.
enum LineageSVG {
    static let minimumBoxWidth = 160.0
    /// Width of one character of the 12 px monospace labels, with some room to spare.
    static let characterWidth = 7.6
    static let boxHeight = 26.0
    static let rowGap = 12.0
    static let columnGap = 80.0
    static let margin = 16.0
    static let headerHeight = 24.0

    static func render(_ graph: ModelGraph) -> String {
        // Columns by depth: the datasets models read, then each model one column right of the
        // deepest thing it reads, so every edge runs left to right; titled by the layers they hold.
        let datasets = Set(graph.nodes.values.flatMap { $0.sources.map(\.qualifiedName) }).sorted()
        var depth: [String: Int] = [:]
        for name in graph.order {  // parents come first
            depth[name] = 1 + (graph.nodes[name]?.parents.compactMap { depth[$0] }.max() ?? 0)
        }
        var columns: [(title: String, layer: String, names: [String])] = [("silver datasets", "dataset", datasets)]
        for level in Set(depth.values).sorted() {
            let names = depth.filter { $0.value == level }.map(\.key).sorted()
            let layers = ModelLayer.allCases.filter { layer in names.contains { graph.nodes[$0]?.model.layer == layer } }
            columns.append((layers.map(\.rawValue).joined(separator: " / "), "model", names))
        }
        let longest = columns.flatMap(\.names).map(\.count).max() ?? 0
        let boxWidth = max(minimumBoxWidth, Double(longest) * characterWidth + 16)
        var position: [String: (x: Double, y: Double)] = [:]
        for (index, column) in columns.enumerated() {
            let x = margin + Double(index) * (boxWidth + columnGap)
            for (row, name) in column.names.enumerated() {
                position["\(column.layer):\(name)"] = (x, margin + headerHeight + Double(row) * (boxHeight + rowGap))
            }
        }
        let tallest = columns.map(\.names.count).max() ?? 0
        let width = margin * 2 + Double(columns.count) * boxWidth + Double(max(0, columns.count - 1)) * columnGap
        let height = margin * 2 + headerHeight + Double(tallest) * (boxHeight + rowGap)

        func key(of name: String) -> String { "model:\(name)" }
        var edges: [String] = []
        for name in graph.order {
            guard let node = graph.nodes[name], let to = position[key(of: name)] else { continue }
            let from = node.sources.map { ($0.qualifiedName, position["dataset:\($0.qualifiedName)"]) }
                + node.parents.map { ($0, position[key(of: $0)]) }
            for (fromName, origin) in from {
                guard let origin else { continue }
                let x1 = origin.x + boxWidth, y1 = origin.y + boxHeight / 2
                let x2 = to.x, y2 = to.y + boxHeight / 2
                let bend = (x2 - x1) / 2
                edges.append("<path class=\"edge\" data-from=\"\(HTML.text(fromName))\" data-to=\"\(HTML.text(name))\" "
                    + "d=\"M\(n(x1)),\(n(y1)) C\(n(x1 + bend)),\(n(y1)) \(n(x2 - bend)),\(n(y2)) \(n(x2)),\(n(y2))\" "
                    + "fill=\"none\" stroke=\"#8a96a3\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>")
            }
        }
        var boxes: [String] = []
        let fills = ["dataset": "#e8f0fe", "staging": "#eef7ee", "intermediate": "#fff6e0", "marts": "#fdecea"]
        for (index, column) in columns.enumerated() {
            let x = margin + Double(index) * (boxWidth + columnGap)
            boxes.append("<text class=\"column\" x=\"\(n(x))\" y=\"\(n(margin + 12))\" font-size=\"12\" font-weight=\"600\" fill=\"#444\">\(HTML.text(column.title))</text>")
            for name in column.names {
                guard let at = position["\(column.layer):\(name)"] else { continue }
                let layer = graph.nodes[name]?.model.layer.rawValue ?? "dataset"
                boxes.append("<g class=\"node\" data-name=\"\(HTML.text(name))\" data-layer=\"\(HTML.text(layer))\">"
                    + "<rect x=\"\(n(at.x))\" y=\"\(n(at.y))\" width=\"\(n(boxWidth))\" height=\"\(n(boxHeight))\" rx=\"4\" "
                    + "fill=\"\(fills[layer] ?? "#fff")\" stroke=\"#5f6b77\"/>"
                    + "<text x=\"\(n(at.x + 8))\" y=\"\(n(at.y + 17))\" font-size=\"12\" font-family=\"monospace\" fill=\"#1d232b\">\(HTML.text(name))</text></g>")
            }
        }
        return """
            <svg id="lineage" xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" viewBox="0 0 \(n(width)) \(n(height))" role="img" aria-label="model lineage">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8a96a3"/></marker></defs>
            \(edges.joined(separator: "\n"))
            \(boxes.joined(separator: "\n"))
            </svg>
            """
    }

    private static func n(_ value: Double) -> String { String(format: "%.1f", value) }
}
