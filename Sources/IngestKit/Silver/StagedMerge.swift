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
package struct StagedMerge: Sendable {
    package static let stagingTable = "ingest_stage"

    package let table: TableSchema
    package let dialect: SQLDialect

    package init(table: TableSchema, dialect: SQLDialect) {
        self.table = table
        self.dialect = dialect
    }

    var q: (String) -> String { dialect.quote }
    var target: String { dialect.qualified(table.schema, table.table) }
    var staging: String { "\(dialect.sql.temporarySchema).\(q(Self.stagingTable))" }
    var keyList: String { table.primaryKey.map(q).joined(separator: ", ") }
    var columnList: String { table.loadedColumns.map { q($0.name) }.joined(separator: ", ") }

    /// Columns in the order rows are sent (to silver or to staging): the loaded columns.
    package var loadedColumns: [String] { table.loadedColumns.map(\.name) }

    /// PostgreSQL: a temporary staging table without constraints or indexes, the cheapest thing to COPY into.
    package var createStaging: String {
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
    package var postgresMerge: String {
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
    package var countTarget: String { "SELECT count(*) AS n FROM \(target)" }

    /// One row when silver holds any, none when it is empty: an emptiness probe that stops at the first row.
    package var anyTargetRow: String { "SELECT 1 AS found FROM \(target) LIMIT 1" }

    /// Silver's row count up to `limit + 1`: stops reading there, so a table too large to matter costs no full count.
    package func countTarget(atMost limit: Int) -> String {
        "SELECT count(*) AS n FROM (SELECT 1 FROM \(target) LIMIT \(limit + 1)) AS probe"
    }

    /// SQLite: a multi-row insert of `rows` rows straight into silver; `upsert` adds the
    /// checksum-guarded `ON CONFLICT` (a rerun); without it (a first load) a row whose key silver
    /// already holds is left out (`ON CONFLICT … DO NOTHING`): the first load sends the run's
    /// artifacts last to first, so the key's row already in silver is the run's last one.
    package func sqliteInsert(rows: Int, upsert: Bool) -> String {
        let width = table.loadedColumns.count
        var index = 0
        let tuples = (0..<rows).map { _ in
            "(" + (0..<width).map { _ in index += 1; return "?\(index)" }.joined(separator: ", ") + ")"
        }
        return "INSERT INTO \(target) AS target (\(columnList)) VALUES \(tuples.joined(separator: ", "))" + "\n"
            + (upsert ? conflict : "ON CONFLICT (\(keyList)) DO NOTHING")
    }

    /// SQLite: the temporary table of the keys a rerun has met so far (`WITHOUT ROWID`, the key's
    /// columns with silver's types, so keys compare as silver's primary key does). SQLite keeps
    /// temporary tables in a file with a bounded page cache, so a run of any size holds no key set
    /// in memory. Created inside the load's transaction: a rollback removes it with the rest.
    package static let seenTable = "ingest_seen"

    var seen: String { "\(dialect.sql.temporarySchema).\(q(Self.seenTable))" }

    /// SQLite: drops the table of met keys (left over from an earlier run on this connection).
    package var sqliteDropSeen: String { "DROP TABLE IF EXISTS \(seen)" }

    /// SQLite: creates the table of met keys; `__position` is a row's place in the statement that marked it.
    package var sqliteCreateSeen: String {
        let types = Dictionary(table.loadedColumns.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        let columns = table.primaryKey.map { "\(q($0)) \(types[$0].map(dialect.typeName) ?? "")" }
        return "CREATE TEMP TABLE \(q(Self.seenTable)) (\(columns.joined(separator: ", ")), \"__position\" INTEGER, "
            + "PRIMARY KEY (\(keyList))) WITHOUT ROWID"
    }

    /// SQLite: marks the keys of `rows` rows as met (binds: each row's key columns) and returns, as
    /// `__position` (0-based), the rows whose key was not met before in the run: the run's winners when
    /// artifacts are taken last to first and the keys within one statement are distinct.
    package func sqliteMarkSeen(rows: Int) -> String {
        let width = table.primaryKey.count
        let tuples = (0..<rows).map { row in
            "(" + (0..<width).map { "?\(row * width + $0 + 1)" }.joined(separator: ", ") + ", \(row))"
        }
        return "INSERT INTO \(seen) (\(keyList), \"__position\") VALUES \(tuples.joined(separator: ", "))\n"
            + "ON CONFLICT (\(keyList)) DO NOTHING RETURNING \"__position\""
    }

    /// SQLite: of `rows` rows (binds: each row's key columns, then its checksum), the 0-based positions
    /// (`__position`) of those silver holds with the same key and checksum: rows a rerun leaves as they are.
    /// Keys compare with silver's column affinity, as the primary key index does.
    package func sqliteUnchanged(rows: Int) -> String {
        let width = table.primaryKey.count + 1
        let tuples = (0..<rows).map { row in
            "(\(row), " + (0..<width).map { "?\(row * width + $0 + 1)" }.joined(separator: ", ") + ")"
        }
        let join = table.primaryKey.enumerated().map { "current.\(q($1)) = given.column\($0 + 2)" }.joined(separator: " AND ")
        return "SELECT given.column1 AS \"__position\" FROM (VALUES \(tuples.joined(separator: ", "))) AS given "
            + "JOIN \(target) AS current ON \(join) WHERE current.\(q(table.checksumColumn)) = given.column\(width + 1)"
    }
}
