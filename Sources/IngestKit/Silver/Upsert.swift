import IngestCommon

/// Counts of one load.
public struct LoadCounts: Sendable, Codable, Hashable {
    public var parsed = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    /// Rows whose key appeared again later in the same run (the last one wins).
    public var duplicates = 0

    public init() {}
}

/// The upsert of a silver table:
/// `INSERT … ON CONFLICT (pk) DO UPDATE SET … WHERE checksum IS DISTINCT FROM EXCLUDED.checksum`.
///
/// `ingested_at` is not in the insert list (it defaults to now) nor in the
/// update list, so it keeps the first insert's time. Rows go in multi-row
/// statements, a batch never larger than the dialect's bind limit.
public struct Upsert: Sendable {
    public let table: TableSchema
    public let dialect: SQLDialect
    public let batchSize: Int

    public init(table: TableSchema, dialect: SQLDialect, batchSize: Int = 500) {
        self.table = table
        self.dialect = dialect
        self.batchSize = max(1, min(batchSize, dialect.maxBindParameters / max(1, table.loadedColumns.count)))
    }

    public func statement(rows: Int) -> String {
        let columns = table.loadedColumns
        let q = dialect.quote
        var index = 0
        let tuples = (0..<rows).map { _ in
            "(" + columns.map { column in
                index += 1
                return dialect.placeholder(index, column.type)
            }.joined(separator: ", ") + ")"
        }
        let keys = Set(table.primaryKey)
        let updates = columns.filter { !keys.contains($0.name) }.map { "\(q($0.name)) = excluded.\(q($0.name))" }
        let returning = dialect == .postgres ? "(xmax = 0) AS inserted" : "1 AS affected"
        return """
            INSERT INTO \(dialect.qualified(table.schema, table.table)) AS target (\(columns.map { q($0.name) }.joined(separator: ", ")))
            VALUES \(tuples.joined(separator: ",\n"))
            ON CONFLICT (\(table.primaryKey.map(q).joined(separator: ", "))) DO UPDATE SET \(updates.joined(separator: ", "))
            WHERE target.\(q(table.checksumColumn)) IS DISTINCT FROM excluded.\(q(table.checksumColumn))
            RETURNING \(returning)
            """
    }

    /// Positions of the primary key within a loaded row.
    var keyPositions: [Int] {
        let keys = Set(table.primaryKey)
        return table.loadedColumns.enumerated().filter { keys.contains($0.element.name) }.map(\.offset)
    }

    /// Keeps the last row of every key, preserving first-seen order; returns how many were dropped.
    public func lastPerKey(_ rows: [[SQLValue]]) -> (rows: [[SQLValue]], dropped: Int) {
        let positions = keyPositions
        var indexOfKey: [[SQLValue]: Int] = [:]
        var result: [[SQLValue]] = []
        result.reserveCapacity(rows.count)
        for row in rows {
            let key = positions.map { row[$0] }
            if let existing = indexOfKey[key] {
                result[existing] = row
            } else {
                indexOfKey[key] = result.count
                result.append(row)
            }
        }
        return (result, rows.count - result.count)
    }

    /// Upserts rows in batches inside `session` (an open transaction) and adds to `counts`.
    ///
    /// PostgreSQL tells inserts from updates by `xmax = 0`; SQLite counts the table's
    /// rows before and after (see `load`), so here it only counts affected rows.
    func write(_ rows: [[SQLValue]], in session: any SQLSession, counts: inout LoadCounts) async throws -> Int {
        var affected = 0
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(start + batchSize, rows.count)]
            let result = try await session.execute(statement(rows: batch.count), batch.flatMap { $0 })
            affected += result.count
            if dialect == .postgres {
                let inserted = result.filter { $0.values.first == "true" }.count
                counts.inserted += inserted
                counts.updated += result.count - inserted
            }
            start += batch.count
        }
        return affected
    }
}
