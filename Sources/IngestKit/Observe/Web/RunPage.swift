import Foundation
import IngestCommon

/// `GET /runs/<run id>`: one run as the ledger keeps it — summary, counts, steps and error — with
/// its rejected items (from `<schema>.<table>__rejects`) and its schema drift (the ledger's `drift`).
enum RunPage {
    /// Characters of a rejected item's raw JSON shown on the page; the rest is cut with `…`.
    static let rawItemExcerpt = 300

    static func render(_ detail: RunDetail) -> String {
        let run = detail.run
        var body = "<nav><a href=\"/\">← all runs</a></nav>\n"
        body += "<h1>Run <code id=\"run-id\">\(HTML.text(run.runId))</code></h1>\n"
        let gate = RunCells.gate(run)
        let summary: [(String, String, String?)] = [
            ("dataset", "\(run.source).\(run.dataset)", nil),
            ("status", run.status.rawValue, run.status.rawValue),
            ("started", "\(run.startedAt) UTC", nil),
            ("finished", run.finishedAt.map { "\($0) UTC" } ?? "—", nil),
            ("duration", HTML.seconds(RunLedger.duration(run)), nil),
            ("artifacts", String(run.counts.artifacts), nil),
            ("bytes", String(run.counts.bytes), nil),
            ("gate", gate.text, gate.cssClass),
            ("watermark", run.watermark ?? "—", nil),
        ]
        body += "<table id=\"summary\"><tbody>\n" + summary.map { key, value, cssClass in
            "<tr><th>\(HTML.text(key))</th>\(HTML.cell(value, cssClass: cssClass, key: key))</tr>"
        }.joined(separator: "\n") + "\n</tbody></table>\n"
        if let error = run.error {
            body += "<h2>Error</h2>\n<p id=\"error\" class=\"message failed\">\(HTML.text(error))</p>\n"
        }

        body += "<h2>Rows</h2>\n"
        let counts: [(String, Int)] = [("parsed", run.counts.parsed), ("inserted", run.counts.inserted),
                                       ("updated", run.counts.updated), ("unchanged", run.counts.unchanged),
                                       ("rejected", run.counts.rejected), ("drift keys", run.drift.count)]
        body += HTML.table(id: "counts", header: counts.map(\.0), rows: ["<tr>" + counts.map { HTML.number($0.1, key: $0.0) }.joined() + "</tr>"],
                           empty: "")

        body += "\n<h2>Steps</h2>\n"
        let steps = RunCells.steps(run).map { step in
            "<tr data-step=\"\(HTML.text(step.name.rawValue))\">" + HTML.cell(step.name.rawValue, key: "step")
                + HTML.cell(step.status.rawValue, cssClass: step.status.rawValue, key: "status") + HTML.cell(HTML.seconds(step.seconds), cssClass: "num", key: "seconds")
                + "</tr>"
        }
        body += HTML.table(id: "steps", header: ["Step", "Status", "Duration"], rows: steps,
                           empty: "The ledger kept no steps for this run.")
        body += "\n" + rejects(detail)
        body += "\n" + drift(run)
        return HTML.page(title: "Run \(run.runId) — \(run.source).\(run.dataset)", body: body)
    }

    /// The run's rejected items: artifact, item, reason and the start of the raw item.
    static func rejects(_ detail: RunDetail) -> String {
        let run = detail.run
        var html = "<h2>Rejected items</h2>\n"
        guard detail.rejectsReadable else {
            return html + "<p id=\"rejects\" class=\"muted\">\(HTML.text("\(run.counts.rejected) rejected; \(detail.rejectsSource)."))</p>\n"
        }
        let shown = detail.rejects.count
        let listing = "`ingestctl rejects \(run.source).\(run.dataset) --run \(run.runId)`"
        var note = "\(run.counts.rejected) rejected \(run.counts.rejected == 1 ? "item" : "items"), kept in \(detail.rejectsSource)"
        if shown < run.counts.rejected { note += "; the first \(shown) shown, \(listing) lists them all" }
        if run.counts.rejected > 0 || shown > 0 { html += "<p id=\"rejects-note\">\(HTML.text(note + "."))</p>\n" }
        let rows = detail.rejects.map { reject in
            let raw = reject.rawItem.map { $0.count > rawItemExcerpt ? String($0.prefix(rawItemExcerpt)) + "…" : $0 } ?? "—"
            return "<tr data-artifact=\"\(HTML.text(reject.artifactId))\" data-item=\"\(reject.itemIndex)\">"
                + HTML.cell(reject.artifactId, key: "artifact") + HTML.number(reject.itemIndex, key: "item")
                + "<td class=\"message\" data-key=\"reason\">\(HTML.text(reject.reason))</td>"
                + "<td class=\"message\" data-key=\"raw\"><code>\(HTML.text(raw))</code></td></tr>"
        }
        return html + HTML.table(id: "rejects", header: ["Artifact", "Item", "Reason", "Raw item"], rows: rows,
                                 empty: "No item of this run was rejected.")
    }

    /// Keys the items carried that the item type never reads, and keys it reads that vanished from every
    /// item, as the ledger keeps them.
    static func drift(_ run: RunRecord) -> String {
        let rows = run.drift.map { key in
            "<tr data-path=\"\(HTML.text(key.path))\"\(key.vanished ? " data-vanished=\"true\"" : "")>" + HTML.cell(key.path, key: "path")
                + HTML.number(key.count, key: "count")
                + (key.vanished ? "<td class=\"message\" data-key=\"example\">vanished: absent from every item</td></tr>"
                                : "<td class=\"message\" data-key=\"example\"><code>\(HTML.text(key.example))</code></td></tr>")
        }
        return "<h2>Schema drift</h2>\n" + HTML.table(id: "drift", header: ["Key", "Items", "Example"], rows: rows,
                                                      empty: "No schema drift: the items carried no key the item type does not read.")
    }

    /// The page for a run id the ledger does not have.
    static func notFound(_ runId: String) -> String {
        HTML.page(title: "No such run", body: "<nav><a href=\"/\">← all runs</a></nav>\n<h1>No such run</h1>\n"
            + "<p id=\"error\">The ledger has no run <code>\(HTML.text(runId))</code>.</p>")
    }
}
