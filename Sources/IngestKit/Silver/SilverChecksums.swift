import IngestCommon

/// Silver's (key, checksum) pairs, read at the start of a rerun on PostgreSQL
/// (SQLite checks each batch's keys instead, `SQLiteLoad`) inside the
/// load's transaction (the dataset lock is held), so that the load sends the
/// warehouse only rows whose key is new or whose checksum differs.
///
/// Read `pageSize` rows a statement (`PostgresSQL.checksumPage`), and kept as 128 bits of
/// each SHA-256 checksum: about 45 bytes a row for keys of up to 15 bytes
/// (1,000,000 rows: ~45 MB). A table of more than `maxRows` rows is not read;
/// the load then sends every row and the merge's checksum guard skips the
/// unchanged ones on the server (same result and counts, more work).
struct SilverChecksums: Sendable {
    /// The largest silver table whose checksums are read (a test lowers it to exercise the other path).
    @TaskLocal static var maxRows = 4_000_000
    /// Rows read a statement (a test lowers it to read in many pages).
    @TaskLocal static var pageSize = 10_000

    /// 128 bits of a hex SHA-256 checksum.
    struct Fingerprint: Hashable, Sendable {
        var high: UInt64
        var low: UInt64

        /// `nil` for text that is not at least 32 hex digits (never equal to anything then).
        init?(hex: String) {
            var utf8 = hex.utf8.makeIterator()
            func next16() -> UInt64? {
                var value: UInt64 = 0
                for _ in 0..<16 {
                    guard let byte = utf8.next() else { return nil }
                    let digit: UInt8
                    switch byte {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                    case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                    default: return nil
                    }
                    value = value << 4 | UInt64(digit)
                }
                return value
            }
            guard let high = next16(), let low = next16() else { return nil }
            self.high = high
            self.low = low
        }
    }

    private var stored: [String: Fingerprint] = [:]

    var count: Int { stored.count }

    /// Whether silver holds `key` with this checksum (the row would be left as it is).
    func isUnchanged(key: String, checksum: SQLValue) -> Bool {
        guard let known = stored[key], case .text(let hex) = checksum, let fingerprint = Fingerprint(hex: hex) else { return false }
        return known == fingerprint
    }

    /// Reads the pairs of the table; `nil` when it has more than `maxRows` (counted up to there, not further).
    static func read(_ merge: StagedMerge, in session: any SQLSession) async throws -> SilverChecksums? {
        let rows = Int(try await session.execute(merge.countTarget(atMost: maxRows)).first?["n"] ?? "") ?? 0
        return try await read(merge, rows: rows, in: session)
    }

    /// Reads the pairs of a table of `rows` rows; `nil` when it has more than `maxRows`.
    static func read(_ merge: StagedMerge, rows: Int, in session: any SQLSession) async throws -> SilverChecksums? {
        guard rows <= maxRows else { return nil }
        let width = merge.table.primaryKey.count
        let sql = PostgresSQL()
        var result = SilverChecksums()
        result.stored.reserveCapacity(rows)
        var last: [SQLValue]?
        while true {
            let page = try await session.execute(sql.checksumPage(merge, after: last != nil, limit: pageSize), last ?? [])
            for row in page {
                let key = LatestRows.key(Array(row.values[0..<width]))
                if let hex = row.values[width], let fingerprint = Fingerprint(hex: hex) { result.stored[key] = fingerprint }
            }
            guard page.count == pageSize, let final = page.last else { break }
            last = sql.checksumPosition(merge, after: final.values)
        }
        return result
    }
}
