import Foundation
import IngestCommon

/// The cells that describe one run in a table row, shared by the runs page and a run's page.
enum RunCells {
    static let header = ["Run", "Status", "Started (UTC)", "Duration", "Artifacts", "Parsed", "Inserted", "Updated", "Unchanged", "Rejected", "Gate", "Error"]

    /// A row's cells for `run`; `dataset` first when the table mixes datasets.
    static func cells(_ run: RunRecord, withDataset: Bool = false) -> String {
        var cells = ""
        if withDataset { cells += HTML.cell("\(run.source).\(run.dataset)", key: "dataset") }
        cells += "<td data-key=\"run\"><a href=\"/runs/\(percentEncoded(run.runId))\">\(HTML.text(run.runId))</a></td>"
        cells += HTML.cell(run.status.rawValue, cssClass: run.status.rawValue, key: "status")
        cells += HTML.cell(run.startedAt.description, key: "started")
        cells += HTML.cell(HTML.seconds(RunLedger.duration(run)), cssClass: "num", key: "duration")
        cells += HTML.number(run.counts.artifacts, key: "artifacts")
        cells += HTML.number(run.counts.parsed, key: "parsed")
        cells += HTML.number(run.counts.inserted, key: "inserted")
        cells += HTML.number(run.counts.updated, key: "updated")
        cells += HTML.number(run.counts.unchanged, key: "unchanged")
        cells += HTML.number(run.counts.rejected, key: "rejected")
        let gate = gate(run)
        cells += HTML.cell(gate.text, cssClass: gate.cssClass, key: "gate")
        cells += "<td class=\"message\" data-key=\"error\">\(HTML.text(run.error ?? ""))</td>"
        return cells
    }

    /// The gate's result as the ledger keeps it: the status of the run's `gate` step.
    /// `—` when the gate did not run (the run ended before it, or the ledger row has no steps).
    static func gate(_ run: RunRecord) -> (text: String, cssClass: String) {
        switch gateStep(run)?.status {
        case .succeeded: return ("passed", "pass")
        case .failed: return ("failed", "error")
        default: return ("—", "muted")
        }
    }

    static func gateStep(_ run: RunRecord) -> RunReport.Step? { steps(run).first { $0.name == .gate } }

    /// The steps the ledger recorded for the run (none in a ledger row written before steps were kept).
    static func steps(_ run: RunRecord) -> [RunReport.Step] { run.steps }

    /// A run id as a path segment (ids are letters, digits, `-`, `_` and `.`, but never trust it).
    static func percentEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? ""
    }
}
