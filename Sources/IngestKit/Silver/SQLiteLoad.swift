import IngestCommon

/// The load on SQLite, inside the caller's `BEGIN IMMEDIATE` transaction
/// (SQLite's one writer at a time is what keeps two runs from interleaving).
///
/// The run's artifacts are taken last to first so that `LatestRows` keeps only
/// the last row of every key; those rows go straight into silver with prepared
/// multi-row inserts: plain inserts when silver is empty at the start (a first
/// load), otherwise, after reading silver's checksums (`SilverChecksums`), only
/// new and changed rows, as a checksum-guarded upsert. Counts come from the
/// database: rows before and after, and `total_changes()` (inserts plus updates).
struct SQLiteLoad: Sendable {
    let merge: StagedMerge

    /// One parsed artifact with each row's key.
    struct Keyed: Sendable {
        var parsed: ParsedArtifact
        var keys: [String]
    }

    func load(count: Int, read: @escaping @Sendable (Int) async throws -> ParsedArtifact,
              in session: any SQLSession) async throws -> (SilverLoader.Staged, LoadCounts) {
        func number(_ sql: String) async throws -> Int {
            Int(try await session.execute(sql).first?.values.first.flatMap { $0 } ?? "0") ?? 0
        }
        let table = merge.table
        // Emptiness first (a probe that stops at one row); a rerun counts silver before and after, for `inserted`.
        let upsert = try await !session.execute(merge.anyTargetRow).isEmpty
        let rowsBefore = upsert ? try await number(merge.countTarget) : 0
        let known = upsert ? try await SilverChecksums.read(merge, rows: rowsBefore, in: session) : nil
        let width = table.loadedColumns.count
        let checksum = table.loadedColumns.firstIndex { $0.name == table.checksumColumn } ?? 0
        let batchSize = max(1, min(500, merge.dialect.maxBindParameters / width))
        let fullBatch = merge.sqliteInsert(rows: batchSize, upsert: upsert)
        let keyer = LatestRows(table: table)
        var latest = LatestRows(table: table)
        var parts = [SilverLoader.Staged](repeating: SilverLoader.Staged(), count: count)
        var batch: [SQLValue] = []
        batch.reserveCapacity(batchSize * width)

        func flush() async throws {
            guard !batch.isEmpty else { return }
            let rows = batch.count / width
            try await session.execute(rows == batchSize ? fullBatch : merge.sqliteInsert(rows: rows, upsert: upsert), batch)
            batch.removeAll(keepingCapacity: true)
        }

        let changesBefore = try await number("SELECT total_changes() AS n")
        try await ParallelParse.forEach(count: count, produce: { position in
            let parsed = try await read(count - 1 - position)
            return Keyed(parsed: parsed, keys: parsed.rows.map(keyer.key(of:)))
        }) { position, keyed in
            let parsed = keyed.parsed
            parts[count - 1 - position].add(parsed.rows.count, watermark: parsed.watermark, sanitized: parsed.sanitized,
                                            rejects: parsed.rejects, drift: parsed.drift)
            for row in latest.winners(of: keyed.keys) {
                if let known, known.isUnchanged(key: keyed.keys[row], checksum: parsed.rows[row][checksum]) { continue }
                batch.append(contentsOf: parsed.rows[row])
                if batch.count >= batchSize * width { try await flush() }
            }
        }
        try await flush()
        let changed = try await number("SELECT total_changes() AS n") - changesBefore
        let staged = parts.reduce(into: SilverLoader.Staged()) { sum, part in
            sum.add(part.parsed, watermark: part.watermark, sanitized: part.sanitized, rejects: part.rejects, drift: part.drift)
        }
        var counts = LoadCounts()
        counts.duplicates = staged.parsed - latest.winners
        counts.inserted = upsert ? try await number(merge.countTarget) - rowsBefore : changed
        counts.updated = changed - counts.inserted
        return (staged, counts)
    }
}
