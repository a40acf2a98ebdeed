import IngestCommon

/// Resolves a run's duplicate keys on the client, before any row is sent:
/// the last row of a key in the run wins (later artifact, then later item),
/// as a staged merge's "last row per key" did.
///
/// The load hands it the run's artifacts last to first and, within one, looks
/// at the rows last to first, so the first row it sees of a key is the winner
/// and every later one is a duplicate. Memory: one entry per distinct key of
/// the run (a key of up to 15 UTF-8 bytes is stored inline in 16 bytes).
struct LatestRows {
    /// Positions of the primary key columns in a row (`TableSchema.loadedColumns` order).
    let keyPositions: [Int]
    private var seen = Set<String>()

    init(table: TableSchema) {
        let names = table.loadedColumns.map(\.name)
        keyPositions = table.primaryKey.compactMap { names.firstIndex(of: $0) }
    }

    /// The number of distinct keys seen so far: the rows that win.
    var winners: Int { seen.count }

    /// Of one artifact's rows (their keys, `key(of:)`), the ones that win, in ascending order.
    /// Call it for the run's artifacts last to first.
    mutating func winners(of keys: [String]) -> [Int] {
        var picked: [Int] = []
        picked.reserveCapacity(keys.count)
        for index in keys.indices.reversed() where seen.insert(keys[index]).inserted {
            picked.append(index)
        }
        return picked.reversed()
    }

    /// The key of a row as one string: equal exactly when the warehouse's primary key is equal
    /// (each value's canonical text, which `RowEncoder` keeps free of NUL characters, tagged and NUL-separated).
    func key(of row: [SQLValue]) -> String {
        if keyPositions.count == 1 { return Self.key([row[keyPositions[0]].canonicalText]) }
        return Self.key(keyPositions.map { row[$0].canonicalText })
    }

    /// The key from its columns' text (as a warehouse returns them); `nil` is NULL.
    static func key(_ parts: [String?]) -> String {
        if parts.count == 1, let only = parts[0] { return only }
        return parts.map { $0.map { "\u{0}T" + $0 } ?? "\u{0}N" }.joined()
    }
}
