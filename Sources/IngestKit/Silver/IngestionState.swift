import Foundation
import IngestCommon

/// One row per run in `staging.ingestion_state`: the ledger of every run.
public struct RunRecord: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable { case running, succeeded, failed }

    public var runId: String
    public var source: String
    public var dataset: String
    public var status: Status
    public var startedAt: String
    public var finishedAt: String?
    public var artifacts: Int
    public var bytes: Int
    public var counts: LoadCounts
    public var errorMessage: String?
    public var watermark: String?
}

/// The state table and its statements, per dialect.
public struct IngestionState: Sendable {
    public static let schema = "staging"
    public static let table = "ingestion_state"

    public let dialect: SQLDialect
    public init(_ dialect: SQLDialect) { self.dialect = dialect }

    var name: String { dialect.qualified(Self.schema, Self.table) }

    public var createStatements: [String] {
        let big = dialect == .postgres ? "bigint" : "INTEGER"
        let int = dialect.typeName(.integer)
        let text = dialect.typeName(.text)
        let ts = dialect.typeName(.timestamp)
        return [
            """
            CREATE TABLE IF NOT EXISTS \(name) (
                "run_id" \(text) PRIMARY KEY,
                "source" \(text) NOT NULL,
                "dataset" \(text) NOT NULL,
                "status" \(text) NOT NULL CHECK ("status" IN ('running', 'succeeded', 'failed')),
                "started_at" \(ts) NOT NULL,
                "finished_at" \(ts),
                "artifacts" \(int) NOT NULL DEFAULT 0,
                "bytes" \(big) NOT NULL DEFAULT 0,
                "rows_parsed" \(int) NOT NULL DEFAULT 0,
                "rows_inserted" \(int) NOT NULL DEFAULT 0,
                "rows_updated" \(int) NOT NULL DEFAULT 0,
                "rows_unchanged" \(int) NOT NULL DEFAULT 0,
                "error_message" \(text),
                "watermark" \(text)
            )
            """,
            dialect == .postgres
                ? "CREATE INDEX IF NOT EXISTS \"ingestion_state__dataset__idx\" ON \(name) (\"source\", \"dataset\", \"started_at\")"
                : "CREATE INDEX IF NOT EXISTS \(dialect.qualified(Self.schema, "ingestion_state__dataset__idx")) ON \(name) (\"source\", \"dataset\", \"started_at\")",
        ]
    }

    private func p(_ i: Int, _ type: ColumnType) -> String { dialect.placeholder(i, type) }

    public func start(_ record: RunRecord, in session: any SQLSession) async throws {
        try await session.execute(
            "INSERT INTO \(name) (\"run_id\", \"source\", \"dataset\", \"status\", \"started_at\") VALUES (\(p(1, .text)), \(p(2, .text)), \(p(3, .text)), 'running', \(p(4, .timestamp)))",
            [.text(record.runId), .text(record.source), .text(record.dataset), .text(record.startedAt)])
    }

    /// Writes the record's status, counts, error and watermark.
    public func update(_ record: RunRecord, in session: any SQLSession) async throws {
        try await session.execute("""
            UPDATE \(name) SET "status" = \(p(2, .text)), "finished_at" = \(p(3, .timestamp)), "artifacts" = \(p(4, .integer)),
                "bytes" = \(p(5, .integer)), "rows_parsed" = \(p(6, .integer)), "rows_inserted" = \(p(7, .integer)),
                "rows_updated" = \(p(8, .integer)), "rows_unchanged" = \(p(9, .integer)), "error_message" = \(p(10, .text)),
                "watermark" = \(p(11, .text))
            WHERE "run_id" = \(p(1, .text))
            """, [
                .text(record.runId), .text(record.status.rawValue), record.finishedAt.map { .text($0) } ?? .null,
                .integer(Int64(record.artifacts)), .integer(Int64(record.bytes)), .integer(Int64(record.counts.parsed)),
                .integer(Int64(record.counts.inserted)), .integer(Int64(record.counts.updated)),
                .integer(Int64(record.counts.unchanged)),
                // A message may quote a value with a NUL character, which PostgreSQL text cannot hold: show it escaped.
                record.errorMessage.map { .text(Redactor.shared.redact($0).replacingOccurrences(of: "\u{0}", with: "\\0")) } ?? .null,
                record.watermark.map { .text($0) } ?? .null,
            ])
    }

    /// Marks the dataset's other `running` rows as failed. Call it holding the
    /// dataset lock: a live run would hold the lock, so such rows belong to runs
    /// that were killed; their load rolled back, so their counts are zero.
    public func failInterrupted(source: String, dataset: String, by runId: String, at time: String,
                                in session: any SQLSession) async throws {
        try await session.execute("""
            UPDATE \(name) SET "status" = 'failed', "finished_at" = \(p(4, .timestamp)),
                "rows_inserted" = 0, "rows_updated" = 0, "rows_unchanged" = 0,
                "error_message" = 'interrupted: the process ended before the run finished (found by run ' || \(p(3, .text)) || ')'
            WHERE "source" = \(p(1, .text)) AND "dataset" = \(p(2, .text)) AND "status" = 'running' AND "run_id" <> \(p(3, .text))
            """, [.text(source), .text(dataset), .text(runId), .text(time)])
    }

    /// Recent runs, newest first, optionally of one dataset.
    public func recent(source: String? = nil, dataset: String? = nil, limit: Int = 20, in session: any SQLSession) async throws -> [RunRecord] {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        if let source {
            binds.append(.text(source))
            conditions.append("\"source\" = \(p(binds.count, .text))")
        }
        if let dataset {
            binds.append(.text(dataset))
            conditions.append("\"dataset\" = \(p(binds.count, .text))")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try await session.execute(
            "SELECT * FROM \(name) \(filter) ORDER BY \"started_at\" DESC, \"run_id\" DESC LIMIT \(max(1, limit))", binds)
        return rows.map(Self.record)
    }

    /// The watermark of the last successful run of a dataset.
    public func lastWatermark(source: String, dataset: String, in session: any SQLSession) async throws -> String? {
        let rows = try await session.execute("""
            SELECT "watermark" FROM \(name) WHERE "source" = \(p(1, .text)) AND "dataset" = \(p(2, .text))
              AND "status" = 'succeeded' AND "watermark" IS NOT NULL
            ORDER BY "started_at" DESC LIMIT 1
            """, [.text(source), .text(dataset)])
        return rows.first?["watermark"] ?? nil
    }

    static func record(_ row: ResultRow) -> RunRecord {
        func int(_ name: String) -> Int { Int(row[name] ?? "") ?? 0 }
        var counts = LoadCounts()
        counts.parsed = int("rows_parsed")
        counts.inserted = int("rows_inserted")
        counts.updated = int("rows_updated")
        counts.unchanged = int("rows_unchanged")
        return RunRecord(
            runId: row["run_id"] ?? "", source: row["source"] ?? "", dataset: row["dataset"] ?? "",
            status: RunRecord.Status(rawValue: row["status"] ?? "") ?? .failed,
            startedAt: row["started_at"] ?? "", finishedAt: row["finished_at"] ?? nil,
            artifacts: int("artifacts"), bytes: int("bytes"), counts: counts,
            errorMessage: row["error_message"] ?? nil, watermark: row["watermark"] ?? nil)
    }
}
