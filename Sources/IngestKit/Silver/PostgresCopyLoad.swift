import IngestCommon
import NIOCore

/// The bulk load on PostgreSQL, on the caller's transaction (its `copy(into:…)`, `COPY … FROM STDIN`).
///
/// Rows are parsed and encoded as `COPY … FROM STDIN` text on all cores. The
/// run's artifacts are taken last to first, so the first row met of a key is
/// the run's last one (the winner); within one artifact `LatestRows` keeps the
/// last row of each key. Across artifacts no key set is kept in the client's
/// memory, so memory stays flat from 1M to 5M rows:
/// - silver empty at the start of the run (a first load): rows go straight
///   into silver, one `COPY` per `segmentBytes`, with no staging table and no
///   merge — index maintenance is the only cost beyond the raw copy. A row whose
///   key the fixed-size `KeyFilter` may have met already goes to a temporary
///   repeats table instead, which one statement resolves at the end: the
///   first-copied row of a key wins (`StagedMerge.insertRepeats`);
/// - otherwise (a rerun): each batch of winners is marked in a temporary table
///   of the keys met so far, which also compares them with silver's checksums
///   (`StagedMerge.postgresMarkSeen`); only new and changed rows are copied into
///   a temporary staging table (no WAL, no index), which one set-based statement
///   merges (`StagedMerge.postgresMerge`). An identical rerun sends no row and
///   runs no merge.
/// Every statement runs in the load's transaction (the dataset lock held): a
/// failure or a kill leaves silver and the temporary tables as they were.
struct PostgresCopyLoad: Sendable {
    let merge: StagedMerge
    /// A first load sends its rows one `COPY` per this many bytes (the repeats table too); a test lowers it
    /// so that every artifact is a `COPY` of its own.
    @TaskLocal static var segmentBytes = 4 * 1024 * 1024
    /// On a rerun, rows are staged one `COPY` per this many bytes (a statement each, between the marks).
    @TaskLocal static var stagingFlushBytes = 2 * 1024 * 1024
    /// Rows a rerun marks and compares in one statement; a test lowers it so that an artifact takes several.
    @TaskLocal static var markRows = 5_000

    /// One artifact encoded as COPY lines, with each row's end, key, key columns and checksum.
    struct Encoded: Sendable {
        var lines: ByteBuffer
        /// `lines` offset where each row ends (its newline included).
        var ends: [Int]
        var keys: [String]
        /// The canonical text of each primary key column, column by column (`keyColumns[column][row]`).
        var keyColumns: [[String?]]
        var checksums: [String?]
        var staged: SilverLoader.Staged

        /// Appends row `row`'s line to `buffer`.
        func write(_ row: Int, to buffer: inout ByteBuffer) {
            let start = row == 0 ? 0 : ends[row - 1]
            let bytes = lines.readableBytesView
            buffer.writeBytes(bytes[bytes.startIndex + start ..< bytes.startIndex + ends[row]])
        }
    }

    func load(count: Int, read: @escaping @Sendable (Int) async throws -> ParsedArtifact,
              on transaction: any SQLSession) async throws -> (SilverLoader.Staged, LoadCounts) {
        let table = merge.table
        let firstLoad = try await transaction.execute(merge.anyTargetRow).isEmpty
        let encode = Self.encoder(read: read, latest: LatestRows(table: table),
                                  checksum: table.loadedColumns.firstIndex { $0.name == table.checksumColumn } ?? 0)
        var parts = [SilverLoader.Staged](repeating: SilverLoader.Staged(), count: count)
        let forEach = { (consume: (Encoded) async throws -> Void) in
            try await ParallelParse.forEach(count: count, produce: { try await encode(count - 1 - $0) }) { position, encoded in
                parts[count - 1 - position] = encoded.staged
                try await consume(encoded)
            }
        }
        var counts = LoadCounts()
        let winners = firstLoad ? try await self.firstLoad(forEach, on: transaction, counts: &counts)
                                : try await rerun(forEach, on: transaction, counts: &counts)
        let staged = parts.reduce(into: SilverLoader.Staged()) { sum, part in
            sum.add(part.parsed, watermark: part.watermark, sanitized: part.sanitized, rejects: part.rejects, drift: part.drift)
        }
        counts.duplicates = staged.parsed - winners
        return (staged, counts)
    }

    /// `COPY table (loaded columns) FROM STDIN` of `buffer`'s lines, cleared afterwards.
    func copy(_ buffer: inout ByteBuffer, into target: (schema: String?, name: String), on transaction: any SQLSession) async throws {
        guard buffer.readableBytes > 0 else { return }
        let chunk = buffer
        try await transaction.copy(into: target, columns: merge.loadedColumns) { try await $0.write(chunk) }
        buffer.clear()
    }

    /// Silver is empty: each artifact's winners go straight into silver unless the key filter may have met
    /// their key; those go to the repeats table, resolved at the end. Returns the run's winners (rows inserted).
    func firstLoad(_ forEach: ((Encoded) async throws -> Void) async throws -> Void, on transaction: any SQLSession,
                   counts: inout LoadCounts) async throws -> Int {
        let table = merge.table
        let silver = (table.schema, table.table)
        let repeatsTable: (String?, String) = (nil, StagedMerge.repeatsTable)
        let segmentBytes = max(1, Self.segmentBytes)
        var filter = KeyFilter()
        var direct = ByteBufferAllocator().buffer(capacity: min(segmentBytes, 1 << 24) + 64 * 1024)
        var repeats = ByteBufferAllocator().buffer(capacity: 0)
        var copied = 0
        var repeated = false
        try await forEach { encoded in
            var local = LatestRows(table: table)
            let winners = local.winners(of: encoded.keys)
            var fresh: [Int] = []
            var maybe: [Int] = []
            fresh.reserveCapacity(winners.count)
            for row in winners {
                if filter.insert(encoded.keys[row]) { maybe.append(row) } else { fresh.append(row) }
            }
            if fresh.count == encoded.ends.count {
                var lines = encoded.lines
                direct.writeBuffer(&lines)
            } else {
                for row in fresh { encoded.write(row, to: &direct) }
                for row in maybe { encoded.write(row, to: &repeats) }
            }
            copied += fresh.count
            if direct.readableBytes >= segmentBytes { try await copy(&direct, into: silver, on: transaction) }
            if repeats.readableBytes >= segmentBytes {
                if !repeated { try await transaction.execute(merge.createRepeats) }
                repeated = true
                try await copy(&repeats, into: repeatsTable, on: transaction)
            }
        }
        try await copy(&direct, into: silver, on: transaction)
        if repeats.readableBytes > 0, !repeated {
            try await transaction.execute(merge.createRepeats)
            repeated = true
        }
        try await copy(&repeats, into: repeatsTable, on: transaction)
        var inserted = copied
        if repeated {
            inserted += Int(try await transaction.execute(merge.insertRepeats).first?["inserted"] ?? "0") ?? 0
        }
        counts.inserted = inserted
        return inserted
    }

    /// Silver holds rows: each batch of an artifact's winners is marked as met (only keys met for the first
    /// time in the run win) and compared with silver's checksums; new and changed rows are staged, then merged.
    /// Returns the run's winners.
    func rerun(_ forEach: ((Encoded) async throws -> Void) async throws -> Void, on transaction: any SQLSession,
               counts: inout LoadCounts) async throws -> Int {
        let table = merge.table
        let staging: (String?, String) = (nil, StagedMerge.stagingTable)
        try await transaction.execute(merge.postgresCreateSeen)
        let mark = merge.postgresMarkSeen(compare: SilverChecksums.compared)
        let flushBytes = max(1, Self.stagingFlushBytes)
        var pending = ByteBufferAllocator().buffer(capacity: min(flushBytes, 1 << 24) + 64 * 1024)
        var winners = 0
        let markRows = max(1, Self.markRows)
        // The staging table is made when the first row needs it: an identical rerun writes nothing.
        var staged = false
        func flush() async throws {
            guard pending.readableBytes > 0 else { return }
            if !staged { try await transaction.execute(merge.createStaging) }
            staged = true
            try await copy(&pending, into: staging, on: transaction)
        }
        try await forEach { encoded in
            var local = LatestRows(table: table)
            let candidates = local.winners(of: encoded.keys)
            var start = 0
            while start < candidates.count {
                let batch = candidates[start ..< min(candidates.count, start + markRows)]
                start = batch.endIndex
                var binds: [SQLValue] = [.text(PostgresArrayText.literal(batch.indices.map { String($0 - batch.startIndex) }))]
                for column in encoded.keyColumns { binds.append(.text(PostgresArrayText.literal(batch.lazy.map { column[$0] }))) }
                binds.append(.text(PostgresArrayText.literal(batch.lazy.map { encoded.checksums[$0] })))
                let result = try await transaction.execute(mark, binds).first
                winners += Int(result?["winners"] ?? "0") ?? 0
                for position in (result?["sent"] ?? nil)?.split(separator: ",") ?? [] {
                    guard let offset = Int(position), offset >= 0, offset < batch.count else {
                        throw IngestError("the rerun's key check returned an unknown row \(position) for \(table.schema).\(table.table)",
                                          fix: "rerun the load; report it if it happens again")
                    }
                    encoded.write(batch[batch.startIndex + offset], to: &pending)
                }
                if pending.readableBytes >= flushBytes { try await flush() }
            }
        }
        try await flush()
        if staged {
            // The join against silver runs in memory on the server, not on disk.
            try await transaction.execute("SET LOCAL work_mem = '256MB'")
            let result = try await transaction.execute(merge.postgresMerge).first
            counts.inserted = Int(result?["inserted"] ?? "0") ?? 0
            counts.updated = Int(result?["updated"] ?? "0") ?? 0
        }
        return winners
    }

    /// Reads, parses and encodes one artifact: the part that runs on all cores.
    static func encoder(read: @escaping @Sendable (Int) async throws -> ParsedArtifact, latest: LatestRows,
                        checksum: Int) -> @Sendable (Int) async throws -> Encoded {
        { index in
            let parsed = try await read(index)
            var lines = ByteBufferAllocator().buffer(capacity: parsed.rows.count * 200)
            var ends: [Int] = []
            var keys: [String] = []
            var keyColumns = [[String?]](repeating: [], count: latest.keyPositions.count)
            var checksums: [String?] = []
            ends.reserveCapacity(parsed.rows.count)
            keys.reserveCapacity(parsed.rows.count)
            checksums.reserveCapacity(parsed.rows.count)
            for i in keyColumns.indices { keyColumns[i].reserveCapacity(parsed.rows.count) }
            for row in parsed.rows {
                for (column, value) in row.enumerated() {
                    if column > 0 { lines.writeInteger(CopyText.tab) }
                    CopyText.append(value, to: &lines)
                }
                lines.writeInteger(CopyText.newline)
                ends.append(lines.readableBytes)
                keys.append(latest.key(of: row))
                for (i, position) in latest.keyPositions.enumerated() { keyColumns[i].append(row[position].canonicalText) }
                checksums.append(row[checksum].canonicalText)
            }
            var staged = SilverLoader.Staged()
            staged.add(parsed.rows.count, watermark: parsed.watermark, sanitized: parsed.sanitized, rejects: parsed.rejects, drift: parsed.drift)
            return Encoded(lines: lines, ends: ends, keys: keys, keyColumns: keyColumns, checksums: checksums, staged: staged)
        }
    }
}
