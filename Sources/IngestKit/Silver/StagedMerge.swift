import IngestCommon

/// The SQL of a load, per dialect: the direct insert into an empty silver
/// table, the staged merge of a rerun's new and changed rows, and the reads
/// that decide between them.
///
/// The run's artifacts are sent last to first, so the first row met of a key
/// is the run's last one (the winner). Within an artifact the loader keeps the
/// last row of a key (`LatestRows`); across artifacts the database resolves
/// keys: a table of the keys a rerun has met (`seenTable`), and on a first
/// load silver's own key (`ON CONFLICT … DO NOTHING` on SQLite, the repeats
/// table on PostgreSQL). A rerun drops the winners silver already has with the
/// same checksum, so the merge sees at most one row per key and only what
/// changed. The merge keeps its checksum guard (a `LEFT JOIN` on PostgreSQL,
/// the `ON CONFLICT … WHERE` on both), so it counts correctly even when every
/// winner is sent (`SilverChecksums.compared` off).
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

    /// The temporary table of the keys a rerun has met so far. SQLite keeps temporary tables in a file
    /// with a bounded page cache, PostgreSQL in its own temporary buffers and files: a run of any size
    /// holds no key set in the client's memory. Created inside the load's transaction: a rollback or a
    /// kill removes it with the rest.
    package static let seenTable = "ingest_seen"

    var seen: String { "\(dialect.sql.temporarySchema).\(q(Self.seenTable))" }

    /// SQLite: drops the table of met keys (left over from an earlier run on this connection).
    package var sqliteDropSeen: String { "DROP TABLE IF EXISTS \(seen)" }

    /// SQLite: creates the table of met keys (`WITHOUT ROWID`, the key's columns with silver's types, so
    /// keys compare as silver's primary key does); `__position` is a row's place in the statement that marked it.
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

    // MARK: PostgreSQL: a rerun's met keys, a first load's repeated keys

    var keyTypes: [String] {
        let types = Dictionary(table.loadedColumns.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        return table.primaryKey.map { types[$0].map(dialect.typeName) ?? "text" }
    }

    /// PostgreSQL: the temporary table of the keys of a rerun's certainly-new winners (the key's columns with
    /// silver's types): a heap without an index, as cheap to fill as a COPY; read only when rows whose key
    /// may have been met are resolved (`postgresStageRepeats`). It lives on the server, in the load's
    /// transaction: a rollback or a kill removes it, and the client holds no key set.
    package var postgresCreateSeen: String {
        let columns = zip(table.primaryKey, keyTypes).map { "\(q($0)) \($1)" }
        return "CREATE TEMP TABLE \(q(Self.seenTable)) (\(columns.joined(separator: ", "))) ON COMMIT DROP"
    }

    /// PostgreSQL: records a batch of a rerun's winners as met and says which to send. Binds, one array each
    /// (`PostgresArrayText`): each key column, then the checksums. Returns one row: `sent`, the 0-based
    /// positions (comma-separated, ascending) of the rows silver lacks or holds with another checksum.
    /// `compare: false` sends every row (the merge's checksum guard then leaves unchanged ones alone).
    package func postgresMarkSeen(compare: Bool) -> String {
        let keys = table.primaryKey
        let arrays = keyTypes.enumerated().map { "$\($0.offset + 1)::\($0.element)[]" } + ["$\(keys.count + 1)::text[]"]
        let names = keys.map(q) + ["\"__checksum\"", "\"__position\""]
        let join = keys.map { "current.\(q($0)) = given.\(q($0))" }.joined(separator: " AND ")
        let differs = "current.\(q(table.checksumColumn)) IS DISTINCT FROM given.\"__checksum\""
        return """
        WITH given AS (SELECT * FROM unnest(\(arrays.joined(separator: ", "))) WITH ORDINALITY AS given(\(names.joined(separator: ", ")))),
        marked AS (INSERT INTO \(seen) (\(keyList)) SELECT \(keyList) FROM given)
        SELECT coalesce(string_agg((given."__position" - 1)::text, ',' ORDER BY given."__position")\(compare ? " FILTER (WHERE \(differs))" : ""), '') AS sent
        FROM given\(compare ? " LEFT JOIN \(target) AS current ON \(join)" : "")
        """
    }

    /// PostgreSQL, a rerun: stages the first-copied row (lowest `__position`) of each key of the repeats table
    /// that no certainly-new winner had (`seenTable`): the run's remaining winners. Returns how many (`winners`).
    package var postgresStageRepeats: String {
        let repeats = "\(dialect.sql.temporarySchema).\(q(Self.repeatsTable))"
        let keys = table.primaryKey
        let metJoin = keys.map { "met.\(q($0)) = r.\(q($0))" }.joined(separator: " AND ")
        return """
        WITH met AS (
            SELECT DISTINCT \(keyList) FROM \(seen) WHERE (\(keyList)) IN (SELECT \(keyList) FROM \(repeats))
        ), firsts AS (
            SELECT DISTINCT ON (\(keyList)) \(columnList) FROM \(repeats) AS r
            WHERE NOT EXISTS (SELECT 1 FROM met WHERE \(metJoin))
            ORDER BY \(keyList), "__position"
        ), staged AS (
            INSERT INTO \(staging) (\(columnList)) SELECT \(columnList) FROM firsts RETURNING 1
        )
        SELECT count(*) AS winners FROM staged
        """
    }

    /// PostgreSQL: the temporary table of a load's rows whose key may have been met already (`KeyFilter`
    /// said "maybe"): silver's loaded columns without constraints, and `__position`, filled in the order
    /// rows are copied in (the run's last artifact first).
    package static let repeatsTable = "ingest_repeats"

    package var createRepeats: String {
        let columns = table.loadedColumns.map { "\(q($0.name)) \(dialect.typeName($0.type))" }.joined(separator: ", ")
        return "CREATE TEMP TABLE \(q(Self.repeatsTable)) (\(columns), \"__position\" bigint GENERATED ALWAYS AS IDENTITY) ON COMMIT DROP"
    }

    /// PostgreSQL: inserts into silver the first-copied row of each key of the repeats table that silver
    /// lacks (the run's last row of a key is copied first: into silver, or here with the lowest position),
    /// and returns how many (`inserted`).
    package var insertRepeats: String {
        let repeats = "\(dialect.sql.temporarySchema).\(q(Self.repeatsTable))"
        return """
        WITH inserted AS (
            INSERT INTO \(target) AS target (\(columnList))
            SELECT DISTINCT ON (\(keyList)) \(columnList) FROM \(repeats) ORDER BY \(keyList), "__position"
            ON CONFLICT (\(keyList)) DO NOTHING
            RETURNING 1
        )
        SELECT count(*) AS inserted FROM inserted
        """
    }
}
