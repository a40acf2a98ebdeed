import IngestCommon

/// The SQL of a staged load: rows go into a temporary staging table first, each
/// with its position in the run (`_seq`), then one set-based statement merges
/// the last row of every key into silver.
///
/// Resolving duplicate keys in the staging table (last one wins) is what lets
/// one statement merge a whole run without "cannot affect row a second time".
/// Before writing, the merge drops the rows silver already has with the same
/// checksum in one hash join, so an identical rerun writes nothing and takes
/// no row locks (`ON CONFLICT` alone would lock every existing row it meets).
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
    var staging: String { dialect == .postgres ? "pg_temp.\(q(Self.stagingTable))" : "temp.\(q(Self.stagingTable))" }
    var keyList: String { table.primaryKey.map(q).joined(separator: ", ") }
    var columnList: String { table.loadedColumns.map { q($0.name) }.joined(separator: ", ") }

    /// Staging columns in the order rows are sent: `_seq`, then the loaded columns.
    public var stagingColumns: [String] { ["_seq"] + table.loadedColumns.map(\.name) }

    /// A staging table without constraints or indexes: the cheapest thing to COPY into.
    public var createStaging: [String] {
        let columns = table.loadedColumns.map { "\(q($0.name)) \(dialect.typeName($0.type))" }.joined(separator: ", ")
        switch dialect {
        case .postgres:
            return ["CREATE TEMP TABLE \(q(Self.stagingTable)) (\"_seq\" bigint NOT NULL, \(columns)) ON COMMIT DROP"]
        case .sqlite:
            return ["DROP TABLE IF EXISTS \(staging)",
                    "CREATE TEMP TABLE \(q(Self.stagingTable)) (\"_seq\" INTEGER NOT NULL, \(columns))"]
        }
    }

    public var dropStaging: String { "DROP TABLE IF EXISTS \(staging)" }

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

    /// PostgreSQL: one statement that resolves duplicates, drops unchanged rows,
    /// merges, and returns `winners` (distinct keys), `inserted` and `updated`.
    public var postgresMerge: String {
        let join = table.primaryKey.map { "current.\(q($0)) = latest.\(q($0))" }.joined(separator: " AND ")
        let checksum = q(table.checksumColumn)
        let selected = table.loadedColumns.map { "latest.\(q($0.name))" }.joined(separator: ", ")
        return """
        WITH latest AS MATERIALIZED (
            SELECT DISTINCT ON (\(keyList)) * FROM \(staging) ORDER BY \(keyList), "_seq" DESC
        ), merged AS (
            INSERT INTO \(target) AS target (\(columnList))
            SELECT \(selected) FROM latest LEFT JOIN \(target) AS current ON \(join)
            WHERE current.\(checksum) IS DISTINCT FROM latest.\(checksum)
            \(conflict)
            RETURNING (xmax = 0) AS inserted
        )
        SELECT (SELECT count(*) FROM latest) AS winners,
               count(*) FILTER (WHERE inserted) AS inserted,
               count(*) FILTER (WHERE NOT inserted) AS updated
        FROM merged
        """
    }

    /// PostgreSQL, when silver is empty: the last row per key, inserted with no join against silver
    /// and no `ON CONFLICT` (index maintenance is the only cost left). Same result columns as `postgresMerge`.
    public var postgresInsertIntoEmpty: String {
        let selected = table.loadedColumns.map { "latest.\(q($0.name))" }.joined(separator: ", ")
        return """
        WITH latest AS MATERIALIZED (
            SELECT DISTINCT ON (\(keyList)) * FROM \(staging) ORDER BY \(keyList), "_seq" DESC
        ), merged AS (
            INSERT INTO \(target) (\(columnList))
            SELECT \(selected) FROM latest
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM latest) AS winners, count(*) AS inserted, 0 AS updated FROM merged
        """
    }

    /// PostgreSQL: whether silver has no row yet (the run holds the dataset lock, so no other run adds one).
    public var postgresTargetIsEmpty: String {
        "SELECT NOT EXISTS (SELECT 1 FROM \(target)) AS empty"
    }

    /// SQLite: the number of distinct keys staged.
    public var sqliteWinners: String {
        "SELECT count(*) AS n FROM (SELECT 1 FROM \(staging) GROUP BY \(keyList))"
    }

    /// SQLite: the merge of the last row per key (`changes()` afterwards counts inserts plus updates).
    public var sqliteMerge: String {
        """
        INSERT INTO \(target) AS target (\(columnList))
        SELECT \(columnList) FROM \(staging)
        WHERE "_seq" IN (SELECT max("_seq") FROM \(staging) GROUP BY \(keyList))
        \(conflict)
        """
    }

    /// SQLite: a multi-row insert into staging (prepared, bound).
    public func sqliteStage(rows: Int) -> String {
        let width = stagingColumns.count
        var index = 0
        let tuples = (0..<rows).map { _ in
            "(" + (0..<width).map { _ in index += 1; return "?\(index)" }.joined(separator: ", ") + ")"
        }
        return "INSERT INTO \(staging) (\(stagingColumns.map(q).joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))"
    }

    public var countTarget: String { "SELECT count(*) AS n FROM \(target)" }
}
