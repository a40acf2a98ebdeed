import Foundation

extension RunReport {
    /// The short summary printed at the end of a run.
    public var summary: String {
        var lines: [String] = []
        let counts = run.counts
        let continues = succeeded && !ran(.gate)
        lines.append("run \(run.runId) of \(run.source).\(run.dataset): \(run.status.rawValue.uppercased())" + (continues ? " (steps done; the run continues: its gate has not run yet)" : ""))
        if let fromRunId { lines.append("  parsed bronze of run \(fromRunId)") }
        if let replayedRuns { lines.append("  replayed \(replayedRuns.count) stored run(s) in order: \(replayedRuns.joined(separator: ", "))") }
        lines.append("  artifacts: \(counts.artifacts) (\(counts.bytes) bytes)\(bronzePrefix.map { " in \($0)" } ?? "")")
        if let stopReason { lines.append("  pages: \(stopReason)") }
        for notice in notices { lines.append("  notice: \(notice)") }
        lines.append("  rows: \(counts.parsed) parsed, \(counts.inserted) inserted, \(counts.updated) updated, \(counts.unchanged) unchanged"
                     + (counts.duplicates > 0 ? ", \(counts.duplicates) duplicate keys (last one kept)" : "")
                     + (counts.sanitized > 0 ? ", \(counts.sanitized) sanitized (NUL characters removed)" : "")
                     + (counts.rejected > 0 ? ", \(counts.rejected) rejected (`ingestctl rejects \(run.source).\(run.dataset) --run \(run.runId)`)" : ""))
        if !run.drift.isEmpty { lines.append("  drift: " + run.drift.map { "\($0.path) (\($0.vanished ? "vanished from \($0.count) items" : String($0.count)))" }.joined(separator: ", ")) }
        lines.append("  steps: " + run.steps.map { "\($0.name) \($0.status) \(String(format: "%.2fs", $0.seconds))" }.joined(separator: ", "))
        if let gate {
            lines.append("  gate: " + (gate.passed ? "passed" : "FAILED (\(gate.failures.joined(separator: "; ")))"))
        }
        if let models = run.models {
            lines.append("  models: \(models.built) built, \(models.failed) failed, \(models.skipped) skipped; tests \(models.testsPassed) passed, \(models.testsFailed) failed"
                         + (run.modelsPublished == true ? "; published" : "; not published"))
        }
        if let error = run.error { lines.append("  error: \(error)") }
        lines.append("  warehouse: \(warehouse); bronze: \(bronze)")
        return lines.joined(separator: "\n")
    }
}
