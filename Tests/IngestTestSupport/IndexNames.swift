import IngestKit
import IngestTesting

extension TestPlatform {
    /// The names of the indexes on `schema.table`, read from the warehouse's catalog.
    public func indexNames(schema: String, table: String) async throws -> Set<String> {
        let sql = kind == .postgres
            ? "SELECT indexname AS name FROM pg_indexes WHERE schemaname = '\(schema)' AND tablename = '\(table)'"
            : "SELECT name FROM \(schema).sqlite_master WHERE type = 'index' AND tbl_name = '\(table)'"
        return Set(try await withWarehouse { try await $0.execute(sql) }.compactMap { $0["name"] ?? nil })
    }
}
