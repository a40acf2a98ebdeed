import IngestCommon

/// Makes a silver table match its config: creates it when absent, adds new
/// columns (marking the rows stored before for rewrite, with a notice), refuses
/// changed types or keys (see `SchemaEvolution`).
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
            // Added columns and the rows they mark for rewrite commit together.
            let statements = try SchemaEvolution(warehouse.dialect).plan(table, existing: existing)
            if !statements.isEmpty {
                try await warehouse.transaction { session in
                    for statement in statements { try await session.execute(statement) }
                }
                let added = table.columns.map(\.name).filter { name in !existing.contains { $0.name == name } }
                RunNotes.notice("column(s) \(added.joined(separator: ", ")) added to \(table.schema).\(table.table): the rows stored before are marked "
                                + "for rewrite (checksums cleared), so this run writes the new column(s) for the keys it loads; "
                                + "`ingestctl replay \(table.qualifiedName)` writes them for every stored run")
            }
        }
        for statement in ddl.createIndexes(table) { try await warehouse.execute(statement) }
    }
}
