import IngestCommon

/// Makes a silver table match its config: creates it when absent, adds new
/// columns, refuses changed types or keys (see `SchemaEvolution`).
package struct SilverTables: Sendable {
    package let warehouse: any Warehouse

    package init(warehouse: any Warehouse) { self.warehouse = warehouse }

    package func ensure(_ table: TableSchema) async throws {
        try await warehouse.ensureSchema(table.schema)
        let existing = try await warehouse.existingColumns(schema: table.schema, table: table.table)
        let ddl = DDL(warehouse.dialect)
        if existing.isEmpty {
            for statement in [ddl.createTable(table)] { try await warehouse.execute(statement) }
        } else {
            for statement in try SchemaEvolution(warehouse.dialect).plan(table, existing: existing) {
                try await warehouse.execute(statement)
            }
        }
        for statement in ddl.createIndexes(table) { try await warehouse.execute(statement) }
    }
}
