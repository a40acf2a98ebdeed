import IngestCommon

/// The SQL of a load, per dialect: the direct insert into an empty silver
/// table, the staged merge of a rerun's new and changed rows, and the reads
/// that decide between them.
///
/// The loader resolves duplicate keys itself before any row is sent
/// (`LatestRows`, last one wins), and on a rerun drops the rows silver already
/// has with the same checksum (`SilverChecksums`), so these statements see at
/// most one row per key and, on a rerun, only what changed.
/// The merge keeps its checksum guard (a `LEFT JOIN` on PostgreSQL, the
/// `ON CONFLICT … WHERE` on both), so it counts correctly even when every row
/// is sent (a silver table too large to read its checksums).
/// `ingested_at` is in neither the insert nor the update list, so it keeps
/// the first insert's time; the checksum guard leaves unchanged rows untouched.
public struct StagedMerge: Sendable {
    public static let stagingTable = "ingest_stage"

    public let table: TableSchema
    public let dialect: SQLDialect

    public init(table: TableSchema, dialect: SQLDialect) {
        self.table = table
        self.dialect = dialect
    }

    var q: (String) -> String { dialect.quote }
    var target: String { dialect.qualified(table.schema, table.table) }
    var staging: String { "\(dialect.sql.temporarySchema).\(q(Self.stagingTable))" }
    var keyList: String { table.primaryKey.map(q).joined(separator: ", ") }
    var columnList: String { table.loadedColumns.map { q($0.name) }.joined(separator: ", ") }

    /// Columns in the order rows are sent (to silver or to staging): the loaded columns.
    public var loadedColumns: [String] { table.loadedColumns.map(\.name) }

    /// PostgreSQL: a temporary staging table without constraints or indexes, the cheapest thing to COPY into.
    public var createStaging: String {
        let columns = table.loadedColumns.map { "\(q($0.name)) \(dialect.typeName($0.type))" }.joined(separator: ", ")
        return "CREATE TEMP TABLE \(q(Self.stagingTable)) (\(columns)) ON COMMIT DROP"
    }

    var updateList: String {
        let keys = Set(table.primaryKey)
        return table.loadedColumns.filter { !keys.contains($0.name) }.map { "\(q($0.name)) = excluded.\(q($0.name))" }.joined(separator: ", ")
    }

    var conflict: String {
        """
        ON CONFLICT (\(keyList)) DO UPDATE SET \(updateList)
        WHERE target.\(q(table.checksumColumn)) IS DISTINCT FROM excluded.\(q(table.checksumColumn))
        """
    }

    /// PostgreSQL: one statement that merges the staged rows (one per key) into silver, skipping
    /// those silver has with the same checksum, and returns `inserted` and `updated`.
    public var postgresMerge: String {
        let join = table.primaryKey.map { "current.\(q($0)) = staged.\(q($0))" }.joined(separator: " AND ")
        let checksum = q(table.checksumColumn)
        let selected = table.loadedColumns.map { "staged.\(q($0.name))" }.joined(separator: ", ")
        return """
        WITH merged AS (
            INSERT INTO \(target) AS target (\(columnList))
            SELECT \(selected) FROM \(staging) AS staged LEFT JOIN \(target) AS current ON \(join)
            WHERE current.\(checksum) IS DISTINCT FROM staged.\(checksum)
            \(conflict)
            RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM merged
        """
    }

    /// The number of rows in silver (the run holds the dataset lock, so no other run adds one).
    public var countTarget: String { "SELECT count(*) AS n FROM \(target)" }

    /// One row when silver holds any, none when it is empty: an emptiness probe that stops at the first row.
    public var anyTargetRow: String { "SELECT 1 AS found FROM \(target) LIMIT 1" }

    /// Silver's row count up to `limit + 1`: stops reading there, so a table too large to matter costs no full count.
    public func countTarget(atMost limit: Int) -> String {
        "SELECT count(*) AS n FROM (SELECT 1 FROM \(target) LIMIT \(limit + 1)) AS probe"
    }

    /// SQLite: a multi-row insert of `rows` rows straight into silver; `upsert` adds the
    /// checksum-guarded `ON CONFLICT` (a rerun), without it the table must not hold the keys (a first load).
    public func sqliteInsert(rows: Int, upsert: Bool) -> String {
        let width = table.loadedColumns.count
        var index = 0
        let tuples = (0..<rows).map { _ in
            "(" + (0..<width).map { _ in index += 1; return "?\(index)" }.joined(separator: ", ") + ")"
        }
        return "INSERT INTO \(target) AS target (\(columnList)) VALUES \(tuples.joined(separator: ", "))" + (upsert ? "\n" + conflict : "")
    }

    /// The statement that reads silver's keys and checksums, `limit` rows at a time, after the position
    /// bound as the binds (`after: false`: from the start). Columns: the key columns, the checksum, then
    /// on SQLite the `rowid` (`position(after:)` gives the binds of the next page).
    /// PostgreSQL pages in key order (the primary key index); SQLite in `rowid` order, a scan of the
    /// table in storage order (key order would look every row up from the key index).
    public func checksumPage(after: Bool, limit: Int) -> String {
        dialect.sql.checksumPage(self, after: after, limit: limit)
    }

    /// The binds that continue `checksumPage` after this row of it: its `rowid` on SQLite, its key on PostgreSQL.
    public func position(after row: [String?]) -> [SQLValue] {
        dialect.sql.checksumPosition(self, after: row)
    }
}
