import Foundation
import IngestCommon

/// The earlier name of `RunLedger`, kept so code written against it still compiles.
@available(*, deprecated, renamed: "RunLedger")
public typealias IngestionState = RunLedger

/// The run ledger, `staging.ingestion_state` (one row a run), and its statements, per dialect.
public struct RunLedger: Sendable {
    public static let schema = "staging"
    public static let table = "ingestion_state"

    public let dialect: SQLDialect
    public init(_ dialect: SQLDialect) { self.dialect = dialect }

    var name: String { dialect.qualified(Self.schema, Self.table) }

    package var createStatements: [String] {
        let big = dialect.sql.bigIntegerType
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
                "rows_rejected" \(int) NOT NULL DEFAULT 0,
                "error_message" \(text),
                "watermark" \(text),
                "steps" \(text),
                "ingest_date" \(text),
                "window_start" \(text),
                "window_end" \(text),
                "models" \(text),
                "from_runs" \(text),
                "drift" \(text)
            )
            """,
            dialect.sql.createIndex("ingestion_state__dataset__idx", schema: Self.schema, table: Self.table, columns: ["source", "dataset", "started_at"]),
        ]
    }

    /// A column added after the table's first version: its name, type, and the value older rows get
    /// (`nil`: empty, NULL; otherwise the column is `NOT NULL DEFAULT` that value).
    package struct AddedColumn: Sendable {
        package var name: String
        package var type: ColumnType
        package var defaultValue: String?

        package init(_ name: String, _ type: ColumnType = .text, default defaultValue: String? = nil) {
            self.name = name
            self.type = type
            self.defaultValue = defaultValue
        }
    }

    /// Columns added after the table's first version, in order; `prepare` adds them to an older table
    /// (text columns empty, `rows_rejected` 0).
    package static let addedColumns: [AddedColumn] = [
        AddedColumn("steps"), AddedColumn("ingest_date"), AddedColumn("window_start"), AddedColumn("window_end"),
        AddedColumn("models"), AddedColumn("from_runs"), AddedColumn("rows_rejected", .integer, default: "0"),
        AddedColumn("drift"),
    ]

    /// Creates the schema, the table and its index, and adds the columns an older table lacks; on PostgreSQL only
    /// when the catalog lacks them (see `ensureCatalog`), so a run on a set-up warehouse writes no DDL.
    @discardableResult
    package func prepare(in warehouse: any Warehouse) async throws -> [String] {
        guard dialect == .postgres else {
            try await prepareEach(in: warehouse)
            return []
        }
        return try await warehouse.ensureCatalog(name) { [totals, name] session in
            let existing = try await PostgresWarehouse.existingColumns(schema: Self.schema, table: Self.table, in: session)
            var statements = existing.isEmpty ? SQLDialect.postgres.sql.createSchema(Self.schema) + createStatements
                : addColumnStatements(existing: Set(existing.map(\.name)))
            if try await !totals.exists(in: session) { statements += totals.createStatements(ledger: name) }
            return statements
        }
    }

    /// SQLite: each statement, `IF NOT EXISTS`.
    private func prepareEach(in warehouse: any Warehouse) async throws {
        try await warehouse.ensureSchema(Self.schema)
        for statement in createStatements { try await warehouse.execute(statement) }
        let existing = Set(try await warehouse.existingColumns(schema: Self.schema, table: Self.table).map(\.name))
        for statement in addColumnStatements(existing: existing) {
            do {
                try await warehouse.execute(statement)
            } catch {
                // Another process opening the same older ledger added it a moment before: nothing left to do.
                let now = Set(try await warehouse.existingColumns(schema: Self.schema, table: Self.table).map(\.name))
                if addColumnStatements(existing: now).contains(statement) { throw error }
            }
        }
        if try await !totals.exists(in: warehouse) {
            for statement in totals.createStatements(ledger: name) { try await warehouse.execute(statement) }
        }
    }

    /// The runs by status per dataset that this ledger keeps as it writes statuses.
    var totals: RunTotals { RunTotals(dialect) }

    /// The recorded status of a run, `nil` when the ledger has no such run.
    func status(of runId: String, in session: any SQLSession) async throws -> RunStatus? {
        let rows = try await session.execute("SELECT \"status\" FROM \(raw: name) WHERE \"run_id\" = \(text: runId)")
        return (rows.first?["status"] ?? nil).flatMap(RunStatus.init(rawValue:))
    }

    /// The `ALTER TABLE … ADD COLUMN` statements that give a table with `existing` columns the added ones.
    package func addColumnStatements(existing: Set<String>) -> [String] {
        Self.addedColumns.filter { !existing.contains($0.name) }.map { column in
            let filled = column.defaultValue.map { " NOT NULL DEFAULT \($0)" } ?? ""
            return "ALTER TABLE \(name) ADD COLUMN \(dialect.quote(column.name)) \(dialect.typeName(column.type))\(filled)"
        }
    }

    package func start(_ record: RunRecord, in session: any SQLSession) async throws {
        try await session.execute("""
            INSERT INTO \(raw: name) ("run_id", "source", "dataset", "status", "started_at", "steps", "ingest_date")
            VALUES (\(text: record.runId), \(text: record.source), \(text: record.dataset), 'running', \(timestamp: record.startedAt.description),
                    \(text: Self.stepsJSON(record.steps)), \(text: record.ingestDate))
            """)
        try await totals.move(source: record.source, dataset: record.dataset, from: nil, to: .running, finishedAt: nil, in: session)
    }

    /// Reopens a recorded run for another of its steps: `running` again, with no error, and these steps.
    package func resume(_ record: RunRecord, in session: any SQLSession) async throws {
        let previous = try await status(of: record.runId, in: session)
        try await session.execute("""
            UPDATE \(raw: name) SET "status" = 'running', "finished_at" = NULL, "error_message" = NULL, "steps" = \(text: Self.stepsJSON(record.steps))
            WHERE "run_id" = \(text: record.runId)
            """)
        if let previous {
            try await totals.move(source: record.source, dataset: record.dataset, from: previous, to: .running, finishedAt: nil, in: session)
        }
    }

    /// The recorded run with this id, of any dataset, or `nil`.
    public func record(runId: String, in session: any SQLSession) async throws -> RunRecord? {
        try await session.execute("SELECT * FROM \(raw: name) WHERE \"run_id\" = \(text: runId)").first.map(Self.record)
    }

    static func stepsJSON(_ steps: [RunReport.Step]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(steps)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// The `models` column: the build's summary and whether it published.
    struct ModelsColumn: Codable {
        var summary: ModelResults.Summary
        var published: Bool?
    }

    static func modelsJSON(_ record: RunRecord) -> String? {
        guard let summary = record.models else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(ModelsColumn(summary: summary, published: record.modelsPublished)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The `drift` column: the drifted keys as a JSON array (`[{"count":1,"example":"…","path":"a.b"}]`), NULL when none.
    static func driftJSON(_ drift: [SchemaDrift.Key]) -> SQLValue {
        guard !drift.isEmpty else { return .null }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(drift) else { return .null }
        // JSON escapes control characters (NUL included, which PostgreSQL text cannot hold); examples were masked when seen.
        return .text(Redactor.shared.redact(String(decoding: data, as: UTF8.self)))
    }

    /// Writes the record's status, counts, error and watermark.
    package func update(_ record: RunRecord, in session: any SQLSession) async throws {
        // A message may quote a value with a NUL character, which PostgreSQL text cannot hold: show it escaped.
        let errorMessage = record.error.map { Redactor.shared.redact($0).replacingOccurrences(of: "\u{0}", with: "\\0") }
        let previous = try await status(of: record.runId, in: session)
        try await session.execute("""
            UPDATE \(raw: name) SET "status" = \(text: record.status.rawValue), "finished_at" = \(timestamp: record.finishedAt?.description),
                "artifacts" = \(integer: record.counts.artifacts), "bytes" = \(integer: record.counts.bytes),
                "rows_parsed" = \(integer: record.counts.parsed), "rows_inserted" = \(integer: record.counts.inserted),
                "rows_updated" = \(integer: record.counts.updated), "rows_unchanged" = \(integer: record.counts.unchanged),
                "error_message" = \(text: errorMessage), "watermark" = \(text: record.watermark),
                "steps" = \(text: Self.stepsJSON(record.steps)), "ingest_date" = \(text: record.ingestDate),
                "window_start" = \(text: record.windowStart), "window_end" = \(text: record.windowEnd),
                "models" = \(text: Self.modelsJSON(record)),
                "from_runs" = \(text: record.fromRuns.isEmpty ? nil : record.fromRuns.joined(separator: ",")),
                "rows_rejected" = \(integer: record.counts.rejected), "drift" = \(bind: Self.driftJSON(record.drift), as: .text)
            WHERE "run_id" = \(text: record.runId)
            """)
        if let previous {
            try await totals.move(source: record.source, dataset: record.dataset, from: previous, to: record.status,
                                  finishedAt: record.finishedAt, in: session)
        }
    }

    /// Marks the dataset's other `running` rows that a process was inside of as failed.
    /// Call it holding the dataset lock: a live process would hold the lock, so a row
    /// with a step still marked `running` (or with no steps, from an older version)
    /// belongs to a process that was killed. Its load either committed with its counts
    /// or rolled back, so the counts stand. A row between two steps of a run on
    /// separate processes (`--run-id`) has no step running and is left alone.
    package func failInterrupted(source: String, dataset: String, by runId: String, at time: LocalTimestamp,
                                in session: any SQLSession) async throws {
        let closed = try await session.execute("""
            UPDATE \(raw: name) SET "status" = 'failed', "finished_at" = \(timestamp: time.description),
                "error_message" = 'interrupted: the process ended before the run finished (found by run ' || \(text: runId) || ')'
            WHERE "source" = \(text: source) AND "dataset" = \(text: dataset) AND "status" = 'running' AND "run_id" <> \(text: runId)
              AND ("steps" IS NULL OR "steps" LIKE '%"status":"running"%')
            RETURNING "run_id"
            """)
        try await totals.move(source: source, dataset: dataset, from: .running, to: .failed, count: closed.count, finishedAt: time, in: session)
    }

    /// Recent runs, newest first, optionally of one dataset.
    public func recent(source: String? = nil, dataset: String? = nil, limit: Int = 20, in session: any SQLSession) async throws -> [RunRecord] {
        var conditions: [SQLStatement] = []
        if let source { conditions.append("\"source\" = \(text: source)") }
        if let dataset { conditions.append("\"dataset\" = \(text: dataset)") }
        let filter: SQLStatement = conditions.isEmpty ? "" : "WHERE " + SQLStatement.joined(conditions, separator: " AND ")
        let rows = try await session.execute(
            "SELECT * FROM \(raw: name) " + filter + " ORDER BY \"started_at\" DESC, \"run_id\" DESC LIMIT \(raw: String(max(1, limit)))")
        return rows.map(Self.record)
    }

    /// Rows parsed by the last successful run of a dataset; `nil` before the first success.
    public func lastSuccessRowsParsed(source: String, dataset: String, in session: any SQLSession) async throws -> Int? {
        let rows = try await session.execute("""
            SELECT "rows_parsed" FROM \(raw: name) WHERE "source" = \(text: source) AND "dataset" = \(text: dataset) AND "status" = 'succeeded'
            ORDER BY "started_at" DESC, "run_id" DESC LIMIT 1
            """)
        return rows.first.flatMap { Int($0["rows_parsed"] ?? "") }
    }

    /// The watermark of the last successful run of a dataset.
    public func lastWatermark(source: String, dataset: String, in session: any SQLSession) async throws -> String? {
        let rows = try await session.execute("""
            SELECT "watermark" FROM \(raw: name) WHERE "source" = \(text: source) AND "dataset" = \(text: dataset)
              AND "status" = 'succeeded' AND "watermark" IS NOT NULL
            ORDER BY "started_at" DESC LIMIT 1
            """)
        return rows.first?["watermark"] ?? nil
    }

    static func record(_ row: ResultRow) -> RunRecord {
        func int(_ name: String) -> Int { Int(row[name] ?? "") ?? 0 }
        var counts = RunReport.Counts()
        counts.artifacts = int("artifacts")
        counts.bytes = int("bytes")
        counts.parsed = int("rows_parsed")
        counts.inserted = int("rows_inserted")
        counts.updated = int("rows_updated")
        counts.unchanged = int("rows_unchanged")
        counts.rejected = int("rows_rejected")
        // Both warehouses give timestamps back in `LocalTimestamp`'s form; a NOT NULL `started_at` always reads.
        var record = RunRecord(
            runId: row["run_id"] ?? "", source: row["source"] ?? "", dataset: row["dataset"] ?? "",
            status: RunStatus(rawValue: row["status"] ?? "") ?? .failed,
            startedAt: row["started_at"].flatMap(LocalTimestamp.init(iso:)) ?? LocalTimestamp(Date(timeIntervalSince1970: 0)))
        record.finishedAt = row["finished_at"].flatMap(LocalTimestamp.init(iso:))
        record.counts = counts
        record.error = row["error_message"] ?? nil
        record.watermark = row["watermark"] ?? nil
        if let steps = row["steps"] ?? nil {
            record.steps = (try? JSONDecoder().decode([RunReport.Step].self, from: Data(steps.utf8))) ?? []
        }
        record.ingestDate = row["ingest_date"] ?? nil
        record.windowStart = row["window_start"] ?? nil
        record.windowEnd = row["window_end"] ?? nil
        record.fromRuns = (row["from_runs"] ?? nil).map { $0.split(separator: ",").map(String.init) } ?? []
        if let models = row["models"] ?? nil, let column = try? JSONDecoder().decode(ModelsColumn.self, from: Data(models.utf8)) {
            record.models = column.summary
            record.modelsPublished = column.published
        }
        if let drift = row["drift"] ?? nil {
            record.drift = (try? JSONDecoder().decode([SchemaDrift.Key].self, from: Data(drift.utf8))) ?? []
        }
        return record
    }
}
