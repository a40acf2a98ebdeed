import IngestCommon
import Logging
import NIOCore
import PostgresNIO

/// The bulk load on PostgreSQL: rows stream from the parsers through
/// `COPY … FROM STDIN` (text format) into a temporary staging table, then one
/// set-based merge writes silver — all on the caller's transaction.
///
/// When silver already holds rows, each artifact is first checked against it
/// (`ChangeProbe`): rows already there with the same checksum travel as
/// (key, checksum) only and are never written, so an identical rerun pays
/// for neither a wide COPY nor a rewrite.
struct PostgresCopyLoad: Sendable {
    let merge: StagedMerge
    let warehouse: PostgresWarehouse
    /// COPY data is sent in chunks of about this size.
    var flushBytes = 256 * 1024

    /// One artifact encoded as COPY lines.
    struct Encoded: Sendable {
        var lines: ByteBuffer
        var rows: Int
        var watermark: String?
    }

    static let logger = Logger(label: "ingestkit.copy", factory: { _ in SwiftLogNoOpLogHandler() })

    func load(count: Int, read: @escaping @Sendable (Int) async throws -> ParsedArtifact,
              on transaction: PostgresTransaction) async throws -> (SilverLoader.Staged, LoadCounts) {
        for statement in merge.createStaging { try await transaction.execute(statement) }
        let empty = try await transaction.execute(merge.targetIsEmpty).first?["empty"] == "true"
        let probeWarehouse = empty ? nil : try await PostgresWarehouse.connect(warehouse.url, connections: 2)
        let probe = probeWarehouse.map { ChangeProbe(warehouse: $0, table: merge.table) }
        let encode = Self.encoder(merge: merge, probe: probe, read: read)

        var staged = SilverLoader.Staged()
        do {
            try await transaction.connection.copyFrom(
                table: StagedMerge.stagingTable, columns: merge.stagingColumns, logger: Self.logger
            ) { writer in
                var pending = ByteBufferAllocator().buffer(capacity: flushBytes + 64 * 1024)
                try await ParallelParse.forEach(count: count, produce: encode) { _, encoded in
                    staged.add(encoded.rows, watermark: encoded.watermark)
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
            await probeWarehouse?.close()
            throw WarehouseError.statementFailed(sql: "COPY \(StagedMerge.stagingTable) FROM STDIN", message: PostgresWarehouse.message(error))
        } catch {
            await probeWarehouse?.close()
            throw error
        }
        await probeWarehouse?.close()

        // The sort that resolves duplicates runs in memory on the server, not on disk.
        try await transaction.execute("SET LOCAL work_mem = '256MB'")
        let result = try await transaction.execute(merge.postgresMerge).first
        var counts = LoadCounts()
        counts.inserted = Int(result?["inserted"] ?? "0") ?? 0
        counts.updated = Int(result?["updated"] ?? "0") ?? 0
        counts.duplicates = staged.parsed - (Int(result?["winners"] ?? "0") ?? 0)
        return (staged, counts)
    }

    /// Reads, parses, probes and encodes one artifact: the part that runs on all cores.
    static func encoder(merge: StagedMerge, probe: ChangeProbe?,
                        read: @escaping @Sendable (Int) async throws -> ParsedArtifact) -> @Sendable (Int) async throws -> Encoded {
        let keyPositions = Set(merge.table.loadedColumns.enumerated()
            .filter { merge.table.primaryKey.contains($0.element.name) || $0.element.name == merge.table.checksumColumn }
            .map(\.offset))
        return { index in
            let parsed = try await read(index)
            let unchanged = try await probe?.unchanged(parsed.rows) ?? []
            var lines = ByteBufferAllocator().buffer(capacity: parsed.rows.count * 200)
            for (position, row) in parsed.rows.enumerated() {
                let skip = unchanged.contains(position)
                lines.writeString(String(SilverLoader.sequence(artifact: index, row: position)))
                lines.writeString(skip ? "\tt" : "\tf")
                for (column, value) in row.enumerated() {
                    lines.writeInteger(CopyText.tab)
                    if skip && !keyPositions.contains(column) {
                        CopyText.appendNull(&lines)
                    } else {
                        CopyText.append(value, to: &lines)
                    }
                }
                lines.writeInteger(CopyText.newline)
            }
            return Encoded(lines: lines, rows: parsed.rows.count, watermark: parsed.watermark)
        }
    }
}
