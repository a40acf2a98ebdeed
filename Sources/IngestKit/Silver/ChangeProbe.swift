import IngestCommon
import Logging
import PostgresNIO

/// Asks silver which rows of an artifact are already there with the same
/// checksum, so an identical rerun sends only (key, checksum) for them
/// instead of the whole row, and the merge writes nothing for them.
///
/// Runs on its own connections: the load's connection is busy with the COPY.
/// It reads silver as committed before the run (the dataset lock keeps other
/// runs of the dataset out), and holds no rows: memory stays one artifact.
final class ChangeProbe: Sendable {
    let warehouse: PostgresWarehouse
    let sql: String
    let keyPositions: [Int]
    let checksumPosition: Int

    init(warehouse: PostgresWarehouse, table: TableSchema) {
        self.warehouse = warehouse
        let columns = table.loadedColumns
        let keys = table.primaryKey
        let keyPositions = keys.map { key in columns.firstIndex { $0.name == key }! }
        self.keyPositions = keyPositions
        self.checksumPosition = columns.firstIndex { $0.name == table.checksumColumn }!
        let q = SQLDialect.postgres.quote
        let arrays = (1...keys.count + 1).map { "$\($0)::text[]" }.joined(separator: ", ")
        let names = (0..<keys.count).map { "k\($0)" } + ["c", "ord"]
        let join = keys.enumerated().map { index, key in
            let type = columns[keyPositions[index]].type.rawValue
            return "t.\(q(key)) = p.k\(index)::\(type)"
        }.joined(separator: " AND ")
        self.sql = """
            SELECT p.ord FROM unnest(\(arrays)) WITH ORDINALITY AS p(\(names.joined(separator: ", ")))
            JOIN \(SQLDialect.postgres.qualified(table.schema, table.table)) t ON \(join)
            WHERE t.\(q(table.checksumColumn)) = p.c
            """
    }

    /// Positions (0-based) of the rows whose key is in silver with the same checksum.
    func unchanged(_ rows: [[SQLValue]]) async throws -> Set<Int> {
        guard !rows.isEmpty else { return [] }
        var bindings = PostgresBindings(capacity: keyPositions.count + 1)
        for position in keyPositions {
            bindings.append(rows.map { $0[position].canonicalText ?? "" })
        }
        bindings.append(rows.map { $0[checksumPosition].canonicalText ?? "" })
        let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
        do {
            return try await warehouse.withConnection { connection in
                var result = Set<Int>()
                for try await ord in try await connection.query(query, logger: Self.logger).decode(Int.self) {
                    result.insert(ord - 1)
                }
                return result
            }
        } catch let error as PSQLError {
            throw WarehouseError.statementFailed(sql: sql, message: PostgresWarehouse.message(error))
        }
    }

    static let logger = Logger(label: "ingestkit.probe", factory: { _ in SwiftLogNoOpLogHandler() })
}
