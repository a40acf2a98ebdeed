import Foundation
import IngestCommon

/// One run: what the ledger keeps of it (one row in `staging.ingestion_state`) and what the report
/// shows of it (`RunReport.run`, read as `report.runId`, `report.counts`, …). Each field is held here
/// once; the ledger's column names (`rows_parsed`, `error_message`, `from_runs`, …) and the report's
/// JSON keys (`error`, `from_run_id`, `replayed_runs`, …) are only how the two write it.
///
/// A run whose steps run in separate processes (`--run-id`) keeps one row: each
/// process reads it, adds its steps and counts, and writes it back.
public struct RunRecord: Sendable, Hashable {
    public var runId: String
    public var source: String
    public var dataset: String
    public var status: RunStatus
    /// When the run started and finished (UTC), written `YYYY-MM-DD HH:MM:SS[.ffffff]`.
    public var startedAt: LocalTimestamp
    public var finishedAt: LocalTimestamp?
    /// Artifacts, bytes and the load's counts.
    public var counts = RunReport.Counts()
    /// Why the run failed (the report's `error`, the ledger's `error_message`), secrets redacted.
    public var error: String?
    /// The highest incremental value the load saw (as text), handed to the next run's extract.
    public var watermark: String?
    /// The steps recorded so far, in order (`running` marks a step a process was in when last written).
    public var steps: [RunReport.Step] = []
    /// The bronze partition date of the run's artifacts (`ingest_date=` in their keys).
    public var ingestDate: String?
    /// The window the scheduler gave the extract (`--window-start`/`--window-end`, ISO-8601), if any.
    public var windowStart: String?
    public var windowEnd: String?
    /// The models build that ended the run (`build --select stg_<source>__<dataset>+`), when it ran.
    public var models: ModelResults.Summary?
    public var modelsPublished: Bool?
    /// The stored runs whose bronze this run loaded instead of its own, in order: `--from-run`'s one run
    /// (the report's `from_run_id`), or the runs a replay parsed again (the report's `replayed_runs`).
    public var fromRuns: [String] = []
    /// Schema drift its load saw: keys the item type never reads, by dotted path (`customer.phone`), with a
    /// count and one example (masked); empty when there was none or the ledger row was written before drift was kept.
    public var drift: [SchemaDrift.Key] = []

    public init(runId: String, source: String, dataset: String, status: RunStatus, startedAt: LocalTimestamp) {
        self.runId = runId
        self.source = source
        self.dataset = dataset
        self.status = status
        self.startedAt = startedAt
    }

    /// `counts.artifacts`.
    @available(*, deprecated, message: "use counts.artifacts")
    public var artifacts: Int { counts.artifacts }
    /// `counts.bytes`.
    @available(*, deprecated, message: "use counts.bytes")
    public var bytes: Int { counts.bytes }
    /// The ledger's name for `error`.
    @available(*, deprecated, renamed: "error")
    public var errorMessage: String? { error }

    /// Whether `step` ran (in any process of the run), whatever its outcome.
    public func ran(_ step: RunStep) -> Bool {
        steps.contains { $0.name == step && $0.status != .skipped }
    }

    public var succeeded: Bool { status == .succeeded }
}
