import Foundation
import IngestCommon

/// Runs by status per dataset, kept as runs change status: `staging.ingestion_totals`, one row per
/// dataset and status (`source`, `dataset`, `status`, `runs`, `last_finished_at`).
///
/// Metrics (`ingest_runs_total`, `ingest_last_success_timestamp_seconds`) and the runs page read it
/// instead of grouping the whole ledger, so reading them takes the same time however long the ledger
/// grows; `ingestctl prune --ledger` deletes old ledger rows and leaves the totals, so the counters
/// never go down. The ledger moves a run here whenever it writes the run's status (`RunLedger.start`,
/// `resume`, `update`, `failInterrupted`), in the same session.
package struct RunTotals: Sendable {
    package static let table = "ingestion_totals"
    package let dialect: SQLDialect

    package init(_ dialect: SQLDialect) { self.dialect = dialect }

    var name: String { dialect.qualified(RunLedger.schema, Self.table) }

    var createStatement: String {
        let text = dialect.typeName(.text)
        return """
            CREATE TABLE IF NOT EXISTS \(name) (
                "source" \(text) NOT NULL,
                "dataset" \(text) NOT NULL,
                "status" \(text) NOT NULL,
                "runs" \(dialect.sql.bigIntegerType) NOT NULL DEFAULT 0,
                "last_finished_at" \(dialect.typeName(.timestamp)),
                PRIMARY KEY ("source", "dataset", "status")
            )
            """
    }

    /// Whether the table exists.
    package func exists(in session: any SQLSession) async throws -> Bool {
        let rows: [ResultRow]
        if dialect == .postgres {
            rows = try await session.execute("SELECT 1 AS \"found\" WHERE to_regclass(\(text: name)) IS NOT NULL")
        } else {
            rows = try await session.execute("SELECT 1 AS \"found\" FROM \(raw: dialect.quote(RunLedger.schema)).sqlite_master WHERE name = \(text: Self.table)")
        }
        return !rows.isEmpty
    }

    /// The statements that make the table when it is missing, filled once from the ledger `ledger` (the runs it
    /// recorded before the totals existed). Run them together: a second process running them finds the rows there
    /// and adds nothing.
    package func createStatements(ledger: String) -> [String] {
        [createStatement, """
            INSERT INTO \(name) ("source", "dataset", "status", "runs", "last_finished_at")
            SELECT "source", "dataset", "status", COUNT(*), MAX("finished_at") FROM \(ledger) GROUP BY "source", "dataset", "status"
            ON CONFLICT ("source", "dataset", "status") DO NOTHING
            """]
    }

    /// Moves `count` runs of `source.dataset` from status `from` (`nil`: a new run) to `to`, and keeps the
    /// latest `finishedAt` of `to`.
    package func move(source: String, dataset: String, from: RunStatus?, to: RunStatus, count: Int = 1,
                      finishedAt: LocalTimestamp?, in session: any SQLSession) async throws {
        guard count > 0 else { return }
        let moved = from == to ? 0 : count
        if let from, moved > 0 {
            try await session.execute("""
                UPDATE \(raw: name) SET "runs" = "runs" - \(integer: moved)
                WHERE "source" = \(text: source) AND "dataset" = \(text: dataset) AND "status" = \(text: from.rawValue)
                """)
        }
        let finished = finishedAt?.description
        try await session.execute("""
            INSERT INTO \(raw: name) AS "totals" ("source", "dataset", "status", "runs", "last_finished_at")
            VALUES (\(text: source), \(text: dataset), \(text: to.rawValue), \(integer: moved), \(timestamp: finished))
            ON CONFLICT ("source", "dataset", "status") DO UPDATE SET "runs" = "totals"."runs" + excluded."runs",
                "last_finished_at" = CASE WHEN "totals"."last_finished_at" IS NULL
                                            OR excluded."last_finished_at" > "totals"."last_finished_at"
                                          THEN excluded."last_finished_at" ELSE "totals"."last_finished_at" END
            """)
    }

    /// The totals of every dataset (or of one), keyed `source.dataset`.
    package func read(source: String? = nil, dataset: String? = nil, in session: any SQLSession) async throws -> [String: LedgerSummary] {
        var conditions: [SQLStatement] = []
        if let source { conditions.append("\"source\" = \(text: source)") }
        if let dataset { conditions.append("\"dataset\" = \(text: dataset)") }
        let filter: SQLStatement = conditions.isEmpty ? "" : " WHERE " + SQLStatement.joined(conditions, separator: " AND ")
        let rows = try await session.execute(
            "SELECT \"source\", \"dataset\", \"status\", \"runs\", \"last_finished_at\" FROM \(raw: name)" + filter)
        var summaries: [String: LedgerSummary] = [:]
        for row in rows {
            guard let source = row["source"] ?? nil, let dataset = row["dataset"] ?? nil,
                  let status = row["status"] ?? nil else { continue }
            let key = "\(source).\(dataset)"
            var summary = summaries[key] ?? LedgerSummary()
            let runs = Int((row["runs"] ?? nil) ?? "") ?? 0
            if runs > 0 { summary.runsByStatus[status, default: 0] += runs }
            if status == RunStatus.succeeded.rawValue, runs > 0, let text = row["last_finished_at"] ?? nil {
                summary.lastSuccessAt = LocalTimestamp(iso: text)?.date.timeIntervalSince1970
            }
            summaries[key] = summary
        }
        return summaries.filter { !$0.value.runsByStatus.isEmpty }
    }
}
