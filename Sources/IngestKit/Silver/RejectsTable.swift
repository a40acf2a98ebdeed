import IngestCommon

/// `<schema>.<table>__rejects`: the items of a dataset's runs that were not loaded, one row per
/// item — `run_id`, `artifact_id`, `item_index` (the item's position in the artifact, from 1),
/// `reason` (a sentence naming the artifact, the item and what was wrong), `raw_item` (the item's
/// JSON text as the source sent it, NULL when the parser does not give it) and `rejected_at`.
///
/// Rows are written in the load's transaction, with the silver rows of the same run: a load that
/// rolls back keeps no rejects either. Same table on both warehouses; `raw_item` is text so the
/// item is kept byte for byte (escapes such as `\u0000` included, which PostgreSQL's jsonb refuses).
package struct RejectsTable: Sendable {
    package let dialect: SQLDialect
    package let schema: String
    package let table: String

    package init(for silver: TableSchema, dialect: SQLDialect) {
        self.dialect = dialect
        self.schema = silver.schema
        self.table = silver.table + "__rejects"
    }

    package var name: String { dialect.qualified(schema, table) }

    package var createStatements: [String] {
        let text = dialect.typeName(.text)
        return ["""
            CREATE TABLE IF NOT EXISTS \(name) (
                "run_id" \(text) NOT NULL,
                "artifact_id" \(text) NOT NULL,
                "item_index" \(dialect.typeName(.integer)) NOT NULL,
                "reason" \(text) NOT NULL,
                "raw_item" \(text),
                "rejected_at" \(dialect.typeName(.timestamp)) NOT NULL,
                PRIMARY KEY ("run_id", "artifact_id", "item_index")
            )
            """]
    }

    /// Inserts a run's rejected items.
    package func insert(_ rejects: [RejectedItem], runId: String, at time: LocalTimestamp, in session: any SQLSession) async throws {
        for reject in rejects {
            // A reason may quote a value with a NUL character, which PostgreSQL text cannot hold: show it escaped.
            let reason = Redactor.shared.redact(reject.reason).replacingOccurrences(of: "\u{0}", with: "\\0")
            let raw = reject.raw.map { Redactor.shared.redact($0).replacingOccurrences(of: "\u{0}", with: "\\u0000") }
            try await session.execute("""
                INSERT INTO \(raw: name) ("run_id", "artifact_id", "item_index", "reason", "raw_item", "rejected_at")
                VALUES (\(text: runId), \(text: reject.artifactId), \(integer: reject.item), \(text: reason), \(text: raw), \(timestamp: time.description))
                """)
        }
    }

    /// Deletes a run's rejected items (its load runs again).
    package func delete(runId: String, in session: any SQLSession) async throws {
        try await session.execute("DELETE FROM \(raw: name) WHERE \"run_id\" = \(text: runId)")
    }

    /// The rejects of one run, or of the latest runs that had any (newest first), at most `limit` rows.
    package func list(runId: String?, limit: Int = 1000, in session: any SQLSession) async throws -> [ResultRow] {
        let filter: SQLStatement = runId.map { "WHERE \"run_id\" = \(text: $0)" } ?? ""
        return try await session.execute("SELECT \"run_id\", \"artifact_id\", \"item_index\", \"reason\", \"raw_item\", \"rejected_at\" FROM \(raw: name) "
            + filter + " ORDER BY \"rejected_at\" DESC, \"run_id\" DESC, \"artifact_id\", \"item_index\" LIMIT \(raw: String(max(1, limit)))")
    }
}

/// One row of `<schema>.<table>__rejects`, as `ingestctl rejects` shows it.
public struct RejectRecord: Sendable, Codable, Hashable {
    public var runId: String
    public var artifactId: String
    public var itemIndex: Int
    public var reason: String
    public var rawItem: String?
    public var rejectedAt: String

    enum CodingKeys: String, CodingKey {
        case runId = "run_id", artifactId = "artifact_id", itemIndex = "item_index", reason
        case rawItem = "raw_item", rejectedAt = "rejected_at"
    }
}

extension RejectRecord {
    /// A row of ``RejectsTable/list(runId:limit:in:)``.
    init(row: ResultRow) {
        self.init(runId: row["run_id"] ?? "", artifactId: row["artifact_id"] ?? "", itemIndex: Int(row["item_index"] ?? "") ?? 0,
                  reason: row["reason"] ?? "", rawItem: row["raw_item"] ?? nil, rejectedAt: row["rejected_at"] ?? "")
    }
}

extension Platform {
    /// The rejected items of a dataset (`source.dataset`): of one run, or of its latest runs, newest first.
    public func rejects(_ name: String, runId: String?, in registry: SourceRegistry, limit: Int = 1000) async throws -> [RejectRecord] {
        let dataset = try registry.dataset(name)
        let table = try dataset.tableSchema()
        let rows = try await withWarehouse { warehouse in
            let rejects = RejectsTable(for: table, dialect: warehouse.dialect)
            try await warehouse.ensureSchema(table.schema)
            for statement in rejects.createStatements { try await warehouse.execute(statement) }
            return try await rejects.list(runId: runId, limit: limit, in: warehouse)
        }
        return rows.map(RejectRecord.init(row:))
    }
}
