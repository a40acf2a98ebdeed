import IngestCommon

/// Makes a silver table match its config: creates it when absent, adds new
/// columns (marking the rows stored before for rewrite, with a notice), refuses
/// changed types or keys (see `SchemaEvolution`).
package struct SilverTables: Sendable {
    package let warehouse: any Warehouse

    package init(warehouse: any Warehouse) { self.warehouse = warehouse }

    /// On PostgreSQL the catalog is read first and DDL runs only for what is missing or added (see `ensureCatalog`):
    /// a run of an unchanged dataset writes nothing and waits on no lock of the table.
    /// - Returns: the DDL it ran (PostgreSQL: empty when the table was as configured).
    @discardableResult
    package func ensure(_ table: TableSchema) async throws -> [String] {
        guard warehouse.dialect == .postgres else {
            try await ensureEach(table)
            return []
        }
        let ran = try await warehouse.ensureCatalog(table.qualifiedName) { session in try await Self.postgresDDL(table, in: session) }
        let ddl = DDL(.postgres)
        let added = table.columns.filter { column in ran.contains(ddl.addColumn(column, to: table)) }.map(\.name)
        if !added.isEmpty { Self.noteAdded(added, to: table) }
        return ran
    }

    /// The notice of columns added to a table that had rows (marked for rewrite in the same transaction).
    static func noteAdded(_ added: [String], to table: TableSchema) {
        RunNotes.notice("column(s) \(added.joined(separator: ", ")) added to \(table.schema).\(table.table): the rows stored before are marked "
                        + "for rewrite (checksums cleared), so this run writes the new column(s) for the keys it loads; "
                        + "`ingestctl replay \(table.qualifiedName)` writes them for every stored run")
    }

    /// The DDL `table` lacks on PostgreSQL: its schema, the table or added columns, missing indexes.
    static func postgresDDL(_ table: TableSchema, in session: any SQLSession) async throws -> [String] {
        let ddl = DDL(.postgres)
        var statements: [String] = []
        let schema = try await session.execute("SELECT 1 AS ok FROM pg_namespace WHERE nspname = \(text: table.schema)")
        if schema.isEmpty { statements += SQLDialect.postgres.sql.createSchema(table.schema) }
        let existing = try await PostgresWarehouse.existingColumns(schema: table.schema, table: table.table, in: session)
        if existing.isEmpty {
            return statements + [ddl.createTable(table)] + ddl.createIndexes(table)
        }
        statements += try SchemaEvolution(.postgres).plan(table, existing: existing)
        let indexes = Set(try await session.execute(SQLDialect.postgres.sql.indexNames(schema: table.schema, table: table.table)).compactMap { $0["name"] })
        let wanted = table.columns.filter { $0.index && !$0.primaryKey }.map { DDL.indexName(table: table.table, column: $0.name) }
        if !Set(wanted).isSubset(of: indexes) { statements += ddl.createIndexes(table) }
        return statements
    }

    /// SQLite: each statement, `IF NOT EXISTS`.
    private func ensureEach(_ table: TableSchema) async throws {
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
                Self.noteAdded(table.columns.map(\.name).filter { name in !existing.contains { $0.name == name } }, to: table)
            }
        }
        for statement in ddl.createIndexes(table) { try await warehouse.execute(statement) }
    }
}
