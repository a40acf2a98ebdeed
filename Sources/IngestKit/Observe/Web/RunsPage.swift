import Foundation
import IngestCommon

/// `GET /`: every source and dataset with its last run, the latest runs, freshness and the model lineage.
enum RunsPage {
    static func render(_ snapshot: RunsSnapshot) -> String {
        var body = "<h1>IngestKit runs</h1>\n"
        body += "<p class=\"muted\">Read from the warehouse at \(HTML.text(LocalTimestamp(snapshot.checkedAt).description)) UTC. "
            + "Read-only: reload for newer runs. <a href=\"/metrics\">/metrics</a> · <a href=\"/healthz\">/healthz</a></p>\n"

        body += "<h2>Sources and datasets</h2>\n"
        let datasetRows = snapshot.datasets.map { entry -> String in
            let name = "<td data-key=\"dataset\"><strong>\(HTML.text(entry.qualifiedName))</strong></td>"
            guard let last = entry.runs.first else {
                return "<tr data-dataset=\"\(HTML.text(entry.qualifiedName))\">\(name)<td colspan=\"\(RunCells.header.count + 1)\" class=\"muted\" data-key=\"status\">no runs yet</td></tr>"
            }
            let counts = Dictionary(grouping: entry.runs, by: \.status).mapValues(\.count)
            let tally = [RunStatus.succeeded, .failed, .running].compactMap { status in counts[status].map { "\($0) \(status.rawValue)" } }
                .joined(separator: ", ")
            return "<tr data-dataset=\"\(HTML.text(entry.qualifiedName))\">\(name)\(RunCells.cells(last))"
                + HTML.cell(tally, key: "recent") + "</tr>"
        }
        body += HTML.table(id: "datasets", header: ["Dataset", "Last run"] + RunCells.header.dropFirst() + ["Last \(RunsSnapshot.runsPerDataset) runs"],
                           rows: datasetRows, empty: "No datasets are registered.")

        body += "\n<h2>Latest runs</h2>\n"
        body += HTML.table(id: "runs", header: ["Dataset"] + RunCells.header,
                           rows: snapshot.latest.map { "<tr data-run=\"\(HTML.text($0.runId))\">\(RunCells.cells($0, withDataset: true))</tr>" },
                           empty: "No runs yet: `ingestctl run <source.dataset>` records one.")

        body += "\n<h2>Freshness</h2>\n"
        let freshnessRows = snapshot.freshness.map { result in
            "<tr data-dataset=\"\(HTML.text(result.dataset))\">" + HTML.cell(result.dataset, key: "dataset")
                + HTML.cell(result.status.rawValue, cssClass: result.status.rawValue, key: "status")
                + HTML.cell(result.newest ?? "—", key: "newest")
                + HTML.cell(result.ageSeconds.map { String(format: "%.1f h", $0 / 3600) } ?? "—", cssClass: "num", key: "age")
                + HTML.cell(result.warnAfterHours.map { String(format: "%g h", $0) } ?? "—", key: "warn")
                + HTML.cell(result.errorAfterHours.map { String(format: "%g h", $0) } ?? "—", key: "error")
                + HTML.cell("\(result.table).\(result.column)", key: "column")
                + "<td class=\"message\" data-key=\"message\">\(HTML.text(result.message))</td></tr>"
        }
        body += HTML.table(id: "freshness", header: ["Dataset", "Status", "Newest (UTC)", "Age", "Warn after", "Error after", "Column", ""],
                           rows: freshnessRows, empty: "No datasets are registered.")

        body += "\n<h2>Model lineage</h2>\n"
        if let graph = snapshot.graph {
            body += graph.nodes.isEmpty ? "<p id=\"lineage\" class=\"muted\">No models are registered.</p>" : LineageSVG.render(graph)
        } else {
            body += "<p id=\"lineage\" class=\"error\">The models do not form a graph: \(HTML.text(snapshot.graphError ?? "unknown error"))</p>"
        }
        return HTML.page(title: "IngestKit runs", body: body)
    }
}
