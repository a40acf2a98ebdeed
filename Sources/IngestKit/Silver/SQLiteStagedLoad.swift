import IngestCommon

/// The staged load on SQLite: prepared multi-row inserts into a temporary
/// staging table, then one merge, inside the caller's transaction.
///
/// SQLite has one writer at a time: the warehouse's `BEGIN IMMEDIATE`
/// transaction is what keeps two runs from interleaving their loads.
struct SQLiteStagedLoad: Sendable {
    let merge: StagedMerge

    func load(count: Int, read: @escaping @Sendable (Int) async throws -> ParsedArtifact,
              in session: any SQLSession) async throws -> (SilverLoader.Staged, LoadCounts) {
        for statement in merge.createStaging { try await session.execute(statement) }
        let width = merge.stagingColumns.count
        let batchSize = max(1, min(500, merge.dialect.maxBindParameters / width))
        var staged = SilverLoader.Staged()
        try await ParallelParse.forEach(count: count, produce: read) { index, parsed in
            staged.add(parsed.rows.count, watermark: parsed.watermark, sanitized: parsed.sanitized)
            var start = 0
            while start < parsed.rows.count {
                let end = min(start + batchSize, parsed.rows.count)
                var binds: [SQLValue] = []
                binds.reserveCapacity((end - start) * width)
                for row in start..<end {
                    binds.append(.integer(SilverLoader.sequence(artifact: index, row: row)))
                    binds.append(contentsOf: parsed.rows[row])
                }
                try await session.execute(merge.sqliteStage(rows: end - start), binds)
                start = end
            }
        }
        func number(_ sql: String) async throws -> Int {
            Int(try await session.execute(sql).first?.values.first.flatMap { $0 } ?? "0") ?? 0
        }
        var counts = LoadCounts()
        counts.duplicates = staged.parsed - (try await number(merge.sqliteWinners))
        let before = try await number(merge.countTarget)
        try await session.execute(merge.sqliteMerge)
        let affected = try await number("SELECT changes() AS n")
        let after = try await number(merge.countTarget)
        counts.inserted = after - before
        counts.updated = affected - counts.inserted
        try await session.execute(merge.dropStaging)
        return (staged, counts)
    }
}
