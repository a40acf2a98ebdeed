import Foundation
import IngestCommon

/// The figures metrics export for one dataset: its latest run and its ledger totals.
///
/// Built from a finished run's ``RunReport`` (`ingestctl run --metrics-file`, the
/// Pushgateway push) or from the ledger alone (`ingestctl serve`), which does not
/// keep step durations, model results or the gate: those stay `nil` and are left out.
public struct RunFigures: Sendable {
    public var source: String
    public var dataset: String
    /// `succeeded` or `failed` (or `running` when read from the ledger mid-run).
    public var status: String
    public var artifacts: Int
    public var bytes: Int
    public var rowsParsed: Int
    public var rowsInserted: Int
    public var rowsUpdated: Int
    public var rowsUnchanged: Int
    /// `nil` when the source of the figures does not keep it (the ledger has no duplicates column).
    public var rowsDuplicates: Int?
    /// Items not loaded (kept in `<schema>.<table>__rejects`).
    public var rowsRejected: Int
    /// Schema drift: distinct keys the items carried that the item type never reads; `nil` from the ledger.
    public var driftKeys: Int?
    public var modelsBuilt: Int?
    public var modelsFailed: Int?
    public var testsFailed: Int?
    /// Seconds per step that ran (skipped steps are left out).
    public var stepSeconds: [(step: String, seconds: Double)]
    public var runSeconds: Double?
    /// `nil` when the run ended before its gate.
    public var gatePassed: Bool?
    /// Unix seconds the latest run finished.
    public var finishedAt: Double?
    /// Runs recorded in the ledger, by status.
    public var runsByStatus: [String: Int]
    /// Unix seconds the last successful run finished; `nil` before the first success.
    public var lastSuccessAt: Double?

    /// The figures of a finished run; `ledger` adds the totals (and the last success) of earlier runs.
    public init(report: RunReport, ledger: LedgerSummary?) {
        self.init(record: report.run, ledger: ledger ?? LedgerSummary(runsByStatus: [report.status.rawValue: 1]))
        rowsDuplicates = report.counts.duplicates
        driftKeys = report.drift.count
        modelsBuilt = report.models?.built
        modelsFailed = report.models?.failed
        testsFailed = report.models?.testsFailed
        stepSeconds = report.steps.filter { $0.status != .skipped }.map { ($0.name.rawValue, $0.seconds) }
        gatePassed = report.gate?.passed
        // A run whose ledger write failed is not in the ledger: its own success still counts.
        if report.succeeded, let finishedAt, finishedAt > (lastSuccessAt ?? 0) { lastSuccessAt = finishedAt }
    }

    /// The figures of the latest run as the ledger (`staging.ingestion_state`) keeps it
    /// (no duplicates, step durations, models or gate).
    public init(record: RunRecord, ledger: LedgerSummary) {
        let counts = record.counts, finishedAt = record.finishedAt
        source = record.source
        dataset = record.dataset
        status = record.status.rawValue
        artifacts = counts.artifacts
        bytes = counts.bytes
        rowsParsed = counts.parsed
        rowsInserted = counts.inserted
        rowsUpdated = counts.updated
        rowsUnchanged = counts.unchanged
        rowsRejected = counts.rejected
        stepSeconds = []
        self.finishedAt = finishedAt?.date.timeIntervalSince1970
        if let finishedAt { runSeconds = finishedAt.date.timeIntervalSince(record.startedAt.date) }
        runsByStatus = ledger.runsByStatus
        lastSuccessAt = ledger.lastSuccessAt
    }
}
