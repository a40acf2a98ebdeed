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
/// - otherwise (a rerun): the winners whose key the same filter says is
///   certainly new are the run's winners; a batch a statement records their
///   keys in a temporary table of met keys and compares them with silver's
///   checksums (`StagedMerge.postgresMarkSeen`). Only new and changed rows are
///   copied into a temporary staging table (no WAL, no index). Rows the filter
///   may have met go to the repeats table, and at the end the first-copied row
///   of each key no certainly-new row had is staged too. One set-based
///   statement merges the staged rows (`StagedMerge.postgresMerge`). An
///   identical rerun sends no row and runs no merge.
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

    /// One artifact with each row's key, key columns and checksum, and its rows as COPY lines: all of them
    /// encoded on the parsing cores for a first load (every row is sent), or kept as values for a rerun,
    /// which encodes only the rows it sends (an identical rerun encodes none).
    struct Encoded: Sendable {
        /// Every row's line (a first load), or empty (a rerun: `rows` holds the values).
        var lines: ByteBuffer
        /// `lines` offset where each row ends (its newline included).
        var ends: [Int]
        /// A rerun's rows, encoded when sent.
        var rows: [[SQLValue]]
        var keys: [String]
        /// The canonical text of each primary key column, column by column (`keyColumns[column][row]`).
        var keyColumns: [[String?]]
        var checksums: [String?]
        var staged: SilverLoader.Staged

        /// Appends row `row`'s line to `buffer`.
        func write(_ row: Int, to buffer: inout ByteBuffer) {
            guard rows.isEmpty else { return Self.encode(rows[row], to: &buffer) }
            let start = row == 0 ? 0 : ends[row - 1]
            let bytes = lines.readableBytesView
            buffer.writeBytes(bytes[bytes.startIndex + start ..< bytes.startIndex + ends[row]])
        }

        /// One row as a COPY line.
        static func encode(_ row: [SQLValue], to buffer: inout ByteBuffer) {
            for (column, value) in row.enumerated() {
                if column > 0 { buffer.writeInteger(CopyText.tab) }
                CopyText.append(value, to: &buffer)
            }
            buffer.writeInteger(CopyText.newline)
        }
    }

    func load(count: Int, read: @escaping @Sendable (Int) async throws -> ParsedArtifact,
              on transaction: any SQLSession) async throws -> (SilverLoader.Staged, LoadCounts) {
        let table = merge.table
        let firstLoad = try await transaction.execute(merge.anyTargetRow).isEmpty
        let encode = Self.encoder(read: read, latest: LatestRows(table: table), lines: firstLoad,
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
            sum.add(part)
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

    /// Silver holds rows. Each artifact's winners whose key `KeyFilter` says is certainly new in the run are
    /// the run's winners: a batch a statement records their keys in the table of met keys (a heap, no index)
    /// and compares them with silver's checksums; new and changed rows are staged. Rows whose key the filter
    /// may have met go to the repeats table; at the end, the first-copied row of each of their keys that no
    /// certainly-new row had is staged too (`StagedMerge.postgresStageRepeats`), and one statement merges
    /// the staged rows. Returns the run's winners.
    func rerun(_ forEach: ((Encoded) async throws -> Void) async throws -> Void, on transaction: any SQLSession,
               counts: inout LoadCounts) async throws -> Int {
        let table = merge.table
        let staging: (String?, String) = (nil, StagedMerge.stagingTable)
        let repeatsTable: (String?, String) = (nil, StagedMerge.repeatsTable)
        try await transaction.execute(merge.postgresCreateSeen)
        let mark = merge.postgresMarkSeen(compare: SilverChecksums.compared)
        let flushBytes = max(1, Self.stagingFlushBytes)
        var pending = ByteBufferAllocator().buffer(capacity: min(flushBytes, 1 << 24) + 64 * 1024)
        var repeats = ByteBufferAllocator().buffer(capacity: 0)
        var filter = KeyFilter()
        var winners = 0
        let markRows = max(1, Self.markRows)
        // The staging table is made when the first row needs it: an identical rerun writes nothing.
        var staged = false
        var repeated = false
        func flush() async throws {
            guard pending.readableBytes > 0 else { return }
            if !staged { try await transaction.execute(merge.createStaging) }
            staged = true
            try await copy(&pending, into: staging, on: transaction)
        }
        func flushRepeats() async throws {
            guard repeats.readableBytes > 0 else { return }
            if !repeated { try await transaction.execute(merge.createRepeats) }
            repeated = true
            try await copy(&repeats, into: repeatsTable, on: transaction)
        }
        try await forEach { encoded in
            var local = LatestRows(table: table)
            var fresh: [Int] = []
            for row in local.winners(of: encoded.keys) {
                if filter.insert(encoded.keys[row]) { encoded.write(row, to: &repeats) } else { fresh.append(row) }
            }
            if repeats.readableBytes >= flushBytes { try await flushRepeats() }
            var start = 0
            while start < fresh.count {
                let batch = fresh[start ..< min(fresh.count, start + markRows)]
                start = batch.endIndex
                var binds: [SQLValue] = []
                for column in encoded.keyColumns { binds.append(.text(PostgresArrayText.literal(batch.lazy.map { column[$0] }))) }
                binds.append(.text(PostgresArrayText.literal(batch.lazy.map { encoded.checksums[$0] })))
                let sent = try await transaction.execute(mark, binds).first?["sent"] ?? nil
                winners += batch.count
                for position in sent?.split(separator: ",") ?? [] {
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
        try await flushRepeats()
        if repeated {
            if !staged { try await transaction.execute(merge.createStaging) }
            staged = true
            winners += Int(try await transaction.execute(merge.postgresStageRepeats).first?["winners"] ?? "0") ?? 0
        }
        if staged {
            // The join against silver runs in memory on the server, not on disk.
            try await transaction.execute("SET LOCAL work_mem = '256MB'")
            let result = try await transaction.execute(merge.postgresMerge).first
            counts.inserted = Int(result?["inserted"] ?? "0") ?? 0
            counts.updated = Int(result?["updated"] ?? "0") ?? 0
        }
        return winners
    }

    /// Reads, parses and encodes one artifact: the part that runs on all cores. `lines`: encode every row as
    /// a COPY line (a first load); otherwise keep the rows, to encode those a rerun sends.
    static func encoder(read: @escaping @Sendable (Int) async throws -> ParsedArtifact, latest: LatestRows, lines encodeLines: Bool,
                        checksum: Int) -> @Sendable (Int) async throws -> Encoded {
        { index in
            let parsed = try await read(index)
            var lines = ByteBufferAllocator().buffer(capacity: encodeLines ? parsed.rows.count * 200 : 0)
            var ends: [Int] = []
            var keys: [String] = []
            var keyColumns = [[String?]](repeating: [], count: latest.keyPositions.count)
            var checksums: [String?] = []
            if encodeLines { ends.reserveCapacity(parsed.rows.count) }
            keys.reserveCapacity(parsed.rows.count)
            checksums.reserveCapacity(parsed.rows.count)
            for i in keyColumns.indices { keyColumns[i].reserveCapacity(parsed.rows.count) }
            for row in parsed.rows {
                if encodeLines {
                    Encoded.encode(row, to: &lines)
                    ends.append(lines.readableBytes)
                }
                keys.append(latest.key(of: row))
                for (i, position) in latest.keyPositions.enumerated() { keyColumns[i].append(row[position].canonicalText) }
                checksums.append(row[checksum].canonicalText)
            }
            var staged = SilverLoader.Staged()
            staged.add(parsed)
            return Encoded(lines: lines, ends: ends, rows: encodeLines ? [] : parsed.rows, keys: keys, keyColumns: keyColumns,
                           checksums: checksums, staged: staged)
        }
    }
}
