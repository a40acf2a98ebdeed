import IngestCommon

/// The load on SQLite, inside the caller's `BEGIN IMMEDIATE` transaction
/// (SQLite's one writer at a time is what keeps two runs from interleaving).
///
/// The run's artifacts are taken last to first, so the first row met of a key
/// is the run's last one (the winner). Within one artifact `LatestRows` keeps
/// the last row of each key; across artifacts SQLite resolves the keys, so the
/// client holds no run-wide key set and memory stays flat from 1M to 5M rows:
/// - silver empty at the start (a first load): the rows go straight into
///   silver with prepared multi-row inserts `ON CONFLICT … DO NOTHING`: a key a
///   later artifact already inserted keeps that row;
/// - otherwise (a rerun): each batch's keys are marked in a temporary table of
///   the keys met so far (`StagedMerge.sqliteMarkSeen`: only keys met for the
///   first time win), silver's checksums are read for the winners' keys only
///   (`StagedMerge.sqliteUnchanged`), and only new and changed rows are sent,
///   as a checksum-guarded upsert. An identical rerun inserts nothing into silver.
/// Counts come from the database: rows before and after, and `changes()` after
/// each statement into silver (inserts plus updates).
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
        if upsert {
            try await session.execute(merge.sqliteDropSeen)
            try await session.execute(merge.sqliteCreateSeen)
        }
        let width = table.loadedColumns.count
        let checksum = table.loadedColumns.firstIndex { $0.name == table.checksumColumn } ?? 0
        let keyer = LatestRows(table: table)
        let keyPositions = keyer.keyPositions
        let batchSize = max(1, min(500, merge.dialect.maxBindParameters / width))
        // Marking and checking keys binds the key columns (and the checksum) of each row of a batch.
        let checkSize = max(1, min(500, merge.dialect.maxBindParameters / (keyPositions.count + 1)))
        let fullBatch = merge.sqliteInsert(rows: batchSize, upsert: upsert)
        var parts = [SilverLoader.Staged](repeating: SilverLoader.Staged(), count: count)
        var winners = 0
        var changed = 0
        var batch: [SQLValue] = []
        batch.reserveCapacity(batchSize * width)

        func flush() async throws {
            guard !batch.isEmpty else { return }
            let rows = batch.count / width
            try await session.execute(rows == batchSize ? fullBatch : merge.sqliteInsert(rows: rows, upsert: upsert), batch)
            // The rows that statement inserted or updated (the marks of met keys are other statements).
            changed += try await number("SELECT changes() AS n")
            batch.removeAll(keepingCapacity: true)
        }

        /// Of one artifact's rows (distinct keys), the run's winners that silver lacks or holds with another checksum.
        func sent(_ rows: ArraySlice<Int>, of parsed: ParsedArtifact) async throws -> [Int] {
            let candidates = Array(rows)
            let marked = try await session.execute(merge.sqliteMarkSeen(rows: candidates.count),
                                                   candidates.flatMap { row in keyPositions.map { parsed.rows[row][$0] } })
            let fresh = marked.compactMap { $0.values.first.flatMap { $0 }.flatMap(Int.init) }.sorted().map { candidates[$0] }
            winners += fresh.count
            guard !fresh.isEmpty, SilverChecksums.compared else { return fresh }
            let unchanged = try await session.execute(merge.sqliteUnchanged(rows: fresh.count),
                                                      fresh.flatMap { row in keyPositions.map { parsed.rows[row][$0] } + [parsed.rows[row][checksum]] })
            let same = Set(unchanged.compactMap { $0.values.first.flatMap { $0 }.flatMap(Int.init) }.map { fresh[$0] })
            return fresh.filter { !same.contains($0) }
        }

        try await ParallelParse.forEach(count: count, produce: { position in
            let parsed = try await read(count - 1 - position)
            return Keyed(parsed: parsed, keys: parsed.rows.map(keyer.key(of:)))
        }) { position, keyed in
            let parsed = keyed.parsed
            parts[count - 1 - position].add(parsed)
            // The artifact's last row of each key; keys of later artifacts are resolved by SQLite.
            var local = LatestRows(table: table)
            let candidates = local.winners(of: keyed.keys)
            var start = 0
            while start < candidates.count {
                let end = min(candidates.count, start + (upsert ? checkSize : batchSize))
                let rows = upsert ? try await sent(candidates[start..<end], of: parsed) : Array(candidates[start..<end])
                for row in rows {
                    batch.append(contentsOf: parsed.rows[row])
                    if batch.count >= batchSize * width { try await flush() }
                }
                start = end
            }
        }
        try await flush()
        if upsert { try await session.execute(merge.sqliteDropSeen) }
        let staged = parts.reduce(into: SilverLoader.Staged()) { sum, part in
            sum.add(part)
        }
        var counts = LoadCounts()
        // A first load inserts each distinct key once; a rerun's winners are the keys it met first.
        counts.duplicates = staged.parsed - (upsert ? winners : changed)
        counts.inserted = upsert ? try await number(merge.countTarget) - rowsBefore : changed
        counts.updated = changed - counts.inserted
        return (staged, counts)
    }
}
