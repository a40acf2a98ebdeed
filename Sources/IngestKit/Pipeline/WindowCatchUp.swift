import Foundation
import IngestCommon

/// No silent gaps between windows: a windowed run (`--window-start`/`--window-end`, Airflow's data
/// interval) whose dataset's earlier windows did not all succeed extracts from where the last
/// succeeded window ended, so the intervals of failed or skipped runs are read again.
///
/// A scheduler that jumps to the latest interval after failures (Airflow with `catchup=False`)
/// would otherwise leave those intervals out of silver without a word. The window the run really
/// used is what the ledger (`window_start`, `window_end`) and the report record, and the run says
/// that it widened its window in a notice.
extension RunLedger {
    /// The window a run of `source.dataset` extracts when the scheduler gave it `requested`:
    /// `requested`, or `requested` widened back to
    /// - the latest `window_end` of a succeeded run of the dataset, when that ends before `requested` starts;
    /// - before any windowed run succeeded, the earliest `window_start` of a failed run, when that is earlier.
    ///
    /// `runId`'s own row (an earlier attempt of this run) is left out. Reads two index-backed aggregates.
    package func catchUpWindow(_ requested: ExtractionWindow, source: String, dataset: String, runId: String,
                               in session: any SQLSession) async throws -> ExtractionWindow {
        let succeeded = try await windowBound("MAX", "window_end", status: .succeeded, source: source, dataset: dataset,
                                              runId: runId, in: session)
        var from = succeeded
        if from == nil {
            from = try await windowBound("MIN", "window_start", status: .failed, source: source, dataset: dataset, runId: runId, in: session)
        }
        guard let from, from < requested.start else { return requested }
        return try ExtractionWindow(start: from, end: requested.end)
    }

    /// `MAX`/`MIN` of a window column over the dataset's other runs with `status`.
    private func windowBound(_ aggregate: String, _ column: String, status: RunStatus, source: String, dataset: String,
                             runId: String, in session: any SQLSession) async throws -> Date? {
        // Every window is written by `ExtractionWindow.iso` (UTC, `Z`), so text order is time order.
        let rows = try await session.execute("""
            SELECT \(raw: aggregate)(\(raw: dialect.quote(column))) AS "bound" FROM \(raw: name)
            WHERE "source" = \(text: source) AND "dataset" = \(text: dataset) AND "status" = \(text: status.rawValue)
              AND \(raw: dialect.quote(column)) IS NOT NULL AND "run_id" <> \(text: runId)
            """)
        return (rows.first?["bound"] ?? nil).flatMap(IncrementalWindow.date)
    }
}
