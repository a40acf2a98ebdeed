import IngestCommon
import NIOCore

/// The bulk load on PostgreSQL, on the caller's transaction (its `copy(into:…)`, `COPY … FROM STDIN`).
///
/// Rows are parsed and encoded as `COPY … FROM STDIN` text on all cores; the
/// run's artifacts are taken last to first so that `LatestRows` keeps only
/// the last row of every key. Then:
/// - silver empty at the start of the run (a first load): one `COPY` straight
///   into silver — no staging table, no merge, index maintenance is the only
///   cost beyond the raw copy;
/// - otherwise (a rerun): silver's checksums are read first (`SilverChecksums`)
///   and only new and changed rows are copied into a temporary staging table
///   (no WAL, no index), which one set-based statement merges (`StagedMerge`).
///   An identical rerun sends no row and runs no merge.
struct PostgresCopyLoad: Sendable {
    let merge: StagedMerge
    /// COPY data is sent in chunks of about this size.
    var flushBytes = 256 * 1024
    /// On a rerun, rows are staged one `COPY` per this many bytes (a statement each, between the reads).
    var stagingFlushBytes = 2 * 1024 * 1024

    /// One artifact encoded as COPY lines, with each row's end, key and checksum.
    struct Encoded: Sendable {
        var lines: ByteBuffer
        /// `lines` offset where each row ends (its newline included).
        var ends: [Int]
        var keys: [String]
        var checksums: [SQLValue]
        var staged: SilverLoader.Staged
    }

    func load(count: Int, read: @escaping @Sendable (Int) async throws -> ParsedArtifact,
              on transaction: any SQLSession) async throws -> (SilverLoader.Staged, LoadCounts) {
        let table = merge.table
        let firstLoad = try await transaction.execute(merge.anyTargetRow).isEmpty
        let known = firstLoad ? nil : try await SilverChecksums.read(merge, in: transaction)
        let encode = Self.encoder(read: read, latest: LatestRows(table: table),
                                  checksum: table.loadedColumns.firstIndex { $0.name == table.checksumColumn } ?? 0)
        var latest = LatestRows(table: table)
        var parts = [SilverLoader.Staged](repeating: SilverLoader.Staged(), count: count)
        var counts = LoadCounts()
        var pending = ByteBufferAllocator().buffer(capacity: flushBytes + 64 * 1024)

        /// `COPY table (loaded columns) FROM STDIN` with `body` writing the data.
        func copy(into target: (schema: String?, name: String), _ body: (any CopyWriter) async throws -> Void) async throws {
            try await transaction.copy(into: target, columns: merge.loadedColumns, body)
        }

        /// Appends the rows of one artifact that are sent: the last of their key, new or changed.
        func take(_ artifact: Int, _ encoded: Encoded) {
            parts[artifact] = encoded.staged
            let winners = latest.winners(of: encoded.keys)
            let sent = known.map { known in winners.filter { !known.isUnchanged(key: encoded.keys[$0], checksum: encoded.checksums[$0]) } } ?? winners
            if sent.count == encoded.ends.count {
                var lines = encoded.lines
                pending.writeBuffer(&lines)
                return
            }
            let bytes = encoded.lines.readableBytesView
            for row in sent {
                let start = row == 0 ? 0 : encoded.ends[row - 1]
                pending.writeBytes(bytes[bytes.startIndex + start ..< bytes.startIndex + encoded.ends[row]])
            }
        }

        if firstLoad {
            // A first load: straight into silver. The COPY runs in the load's transaction, so a failure
            // or a kill leaves silver empty, and the dataset lock keeps other runs out meanwhile.
            try await copy(into: (table.schema, table.table)) { writer in
                try await ParallelParse.forEach(count: count, produce: { try await encode(count - 1 - $0) }) { position, encoded in
                    take(count - 1 - position, encoded)
                    if pending.readableBytes >= flushBytes {
                        try await writer.write(pending)
                        pending.clear()
                    }
                }
                if pending.readableBytes > 0 { try await writer.write(pending) }
            }
            counts.inserted = latest.winners
        } else {
            // A rerun: new and changed rows into staging, a COPY every `stagingFlushBytes`, then one merge.
            // The staging table is made when the first row needs it: an identical rerun writes nothing.
            var staged = false
            func flush() async throws {
                guard pending.readableBytes > 0 else { return }
                if !staged { try await transaction.execute(merge.createStaging) }
                let chunk = pending
                try await copy(into: (nil, StagedMerge.stagingTable)) { try await $0.write(chunk) }
                pending.clear()
                staged = true
            }
            try await ParallelParse.forEach(count: count, produce: { try await encode(count - 1 - $0) }) { position, encoded in
                take(count - 1 - position, encoded)
                if pending.readableBytes >= stagingFlushBytes { try await flush() }
            }
            try await flush()
            if staged {
                // The join against silver runs in memory on the server, not on disk.
                try await transaction.execute("SET LOCAL work_mem = '256MB'")
                let result = try await transaction.execute(merge.postgresMerge).first
                counts.inserted = Int(result?["inserted"] ?? "0") ?? 0
                counts.updated = Int(result?["updated"] ?? "0") ?? 0
            }
        }
        let staged = parts.reduce(into: SilverLoader.Staged()) { sum, part in
            sum.add(part.parsed, watermark: part.watermark, sanitized: part.sanitized, rejects: part.rejects, drift: part.drift)
        }
        counts.duplicates = staged.parsed - latest.winners
        return (staged, counts)
    }


    /// Reads, parses and encodes one artifact: the part that runs on all cores.
    static func encoder(read: @escaping @Sendable (Int) async throws -> ParsedArtifact, latest: LatestRows,
                        checksum: Int) -> @Sendable (Int) async throws -> Encoded {
        { index in
            let parsed = try await read(index)
            var lines = ByteBufferAllocator().buffer(capacity: parsed.rows.count * 200)
            var ends: [Int] = []
            var keys: [String] = []
            var checksums: [SQLValue] = []
            ends.reserveCapacity(parsed.rows.count)
            keys.reserveCapacity(parsed.rows.count)
            checksums.reserveCapacity(parsed.rows.count)
            for row in parsed.rows {
                for (column, value) in row.enumerated() {
                    if column > 0 { lines.writeInteger(CopyText.tab) }
                    CopyText.append(value, to: &lines)
                }
                lines.writeInteger(CopyText.newline)
                ends.append(lines.readableBytes)
                keys.append(latest.key(of: row))
                checksums.append(row[checksum])
            }
            var staged = SilverLoader.Staged()
            staged.add(parsed.rows.count, watermark: parsed.watermark, sanitized: parsed.sanitized, rejects: parsed.rejects, drift: parsed.drift)
            return Encoded(lines: lines, ends: ends, keys: keys, checksums: checksums, staged: staged)
        }
    }
}
