import IngestCommon
import Logging
import NIOCore
import PostgresNIO

/// The bulk load on PostgreSQL: rows stream from the parsers through
/// `COPY … FROM STDIN` (text format) into a temporary staging table, then one
/// set-based merge writes silver — all on the caller's transaction.
///
/// The staging table is temporary (no WAL) and has no index, so the COPY is
/// about as cheap as the parse that feeds it; the merge skips unchanged rows
/// in one hash join, so an identical rerun writes nothing to silver.
struct PostgresCopyLoad: Sendable {
    let merge: StagedMerge
    /// COPY data is sent in chunks of about this size.
    var flushBytes = 256 * 1024

    /// One artifact encoded as COPY lines.
    struct Encoded: Sendable {
        var lines: ByteBuffer
        var rows: Int
        var watermark: String?
        var sanitized: Int
        var rejects: [RejectedItem] = []
        var drift: [SchemaDrift.Key] = []
    }

    static let logger = Logger(label: "ingestkit.copy", factory: { _ in SwiftLogNoOpLogHandler() })

    func load(count: Int, read: @escaping @Sendable (Int) async throws -> ParsedArtifact,
              on transaction: any SQLSession, connection: PostgresConnection) async throws -> (SilverLoader.Staged, LoadCounts) {
        for statement in merge.createStaging { try await transaction.execute(statement) }
        let encode = Self.encoder(read: read)

        var staged = SilverLoader.Staged()
        do {
            try await connection.copyFrom(
                table: StagedMerge.stagingTable, columns: merge.stagingColumns, logger: Self.logger
            ) { writer in
                var pending = ByteBufferAllocator().buffer(capacity: flushBytes + 64 * 1024)
                try await ParallelParse.forEach(count: count, produce: encode) { _, encoded in
                    staged.add(encoded.rows, watermark: encoded.watermark, sanitized: encoded.sanitized, rejects: encoded.rejects, drift: encoded.drift)
                    var lines = encoded.lines
                    pending.writeBuffer(&lines)
                    if pending.readableBytes >= flushBytes {
                        try await writer.write(pending)
                        pending.clear()
                    }
                }
                if pending.readableBytes > 0 { try await writer.write(pending) }
            }
        } catch let error as PSQLError {
            throw WarehouseError(sql: "COPY \(StagedMerge.stagingTable) FROM STDIN", postgres: error)
        }

        // The sort that resolves duplicates runs in memory on the server, not on disk.
        try await transaction.execute("SET LOCAL work_mem = '256MB'")
        let empty = try await transaction.execute(merge.postgresTargetIsEmpty).first?["empty"] == "true"
        let result = try await transaction.execute(empty ? merge.postgresInsertIntoEmpty : merge.postgresMerge).first
        var counts = LoadCounts()
        counts.inserted = Int(result?["inserted"] ?? "0") ?? 0
        counts.updated = Int(result?["updated"] ?? "0") ?? 0
        counts.duplicates = staged.parsed - (Int(result?["winners"] ?? "0") ?? 0)
        return (staged, counts)
    }

    /// Reads, parses and encodes one artifact: the part that runs on all cores.
    static func encoder(read: @escaping @Sendable (Int) async throws -> ParsedArtifact) -> @Sendable (Int) async throws -> Encoded {
        { index in
            let parsed = try await read(index)
            var lines = ByteBufferAllocator().buffer(capacity: parsed.rows.count * 200)
            for (position, row) in parsed.rows.enumerated() {
                lines.writeString(String(SilverLoader.sequence(artifact: index, row: position)))
                for value in row {
                    lines.writeInteger(CopyText.tab)
                    CopyText.append(value, to: &lines)
                }
                lines.writeInteger(CopyText.newline)
            }
            return Encoded(lines: lines, rows: parsed.rows.count, watermark: parsed.watermark, sanitized: parsed.sanitized, rejects: parsed.rejects, drift: parsed.drift)
        }
    }
}
