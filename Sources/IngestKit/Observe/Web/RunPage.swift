import Foundation
import IngestCommon

/// `GET /runs/<run id>`: one run as the ledger keeps it — summary, counts, steps and error.
enum RunPage {
    static func render(_ run: RunRecord) -> String {
        var body = "<nav><a href=\"/\">← all runs</a></nav>\n"
        body += "<h1>Run <code id=\"run-id\">\(HTML.text(run.runId))</code></h1>\n"
        let gate = RunCells.gate(run)
        let summary: [(String, String, String?)] = [
            ("dataset", "\(run.source).\(run.dataset)", nil),
            ("status", run.status.rawValue, run.status.rawValue),
            ("started", run.startedAt + " UTC", nil),
            ("finished", run.finishedAt.map { $0 + " UTC" } ?? "—", nil),
            ("duration", HTML.seconds(RunLedger.duration(run)), nil),
            ("artifacts", String(run.artifacts), nil),
            ("bytes", String(run.bytes), nil),
            ("gate", gate.text, gate.cssClass),
            ("watermark", run.watermark ?? "—", nil),
        ]
        body += "<table id=\"summary\"><tbody>\n" + summary.map { key, value, cssClass in
            "<tr><th>\(HTML.text(key))</th>\(HTML.cell(value, cssClass: cssClass, key: key))</tr>"
        }.joined(separator: "\n") + "\n</tbody></table>\n"
        if let error = run.errorMessage {
            body += "<h2>Error</h2>\n<p id=\"error\" class=\"message failed\">\(HTML.text(error))</p>\n"
        }

        body += "<h2>Rows</h2>\n"
        let counts: [(String, Int)] = [("parsed", run.counts.parsed), ("inserted", run.counts.inserted),
                                       ("updated", run.counts.updated), ("unchanged", run.counts.unchanged)]
        body += HTML.table(id: "counts", header: counts.map(\.0), rows: ["<tr>" + counts.map { HTML.number($0.1, key: $0.0) }.joined() + "</tr>"],
                           empty: "")

        body += "\n<h2>Steps</h2>\n"
        let steps = RunCells.steps(run).map { step in
            "<tr data-step=\"\(HTML.text(step.name))\">" + HTML.cell(step.name, key: "step")
                + HTML.cell(step.status, cssClass: step.status, key: "status") + HTML.cell(HTML.seconds(step.seconds), cssClass: "num", key: "seconds")
                + "</tr>"
        }
        body += HTML.table(id: "steps", header: ["Step", "Status", "Duration"], rows: steps,
                           empty: "The ledger kept no steps for this run.")
        return HTML.page(title: "Run \(run.runId) — \(run.source).\(run.dataset)", body: body)
    }

    /// The page for a run id the ledger does not have.
    static func notFound(_ runId: String) -> String {
        HTML.page(title: "No such run", body: "<nav><a href=\"/\">← all runs</a></nav>\n<h1>No such run</h1>\n"
            + "<p id=\"error\">The ledger has no run <code>\(HTML.text(runId))</code>.</p>")
    }
}
