import IngestCommon

/// `ingestctl plan <source.dataset> [--apply]`: the difference between a dataset's config and its
/// live silver table, before any run.
///
/// Additive changes — the table itself when it does not exist, columns the config added, indexes
/// it declares that the table lacks, the `__rejects` table — are what a run's preflight would apply,
/// and what `apply` applies (in one transaction). A changed column type or primary key is refused,
/// as a run refuses it (``SchemaEvolution``), with the migration to write. Columns the table has
/// and the config no longer declares are kept (never dropped) and listed. An integer column narrower
/// than the config's 64 bits is accepted, with the widening migration offered: `apply` runs it, a run never.
public struct TablePlan: Sendable, Codable, Hashable {
    /// One change the plan applies.
    public struct Change: Sendable, Codable, Hashable {
        public enum Kind: String, Sendable, Codable {
            case createTable = "create_table", addColumn = "add_column", createIndex = "create_index", createRejectsTable = "create_rejects_table"
        }
        public var kind: Kind
        /// `add column description text`
        public var description: String
        /// The statements, in order.
        public var statements: [String]
    }

    /// `source.dataset`
    public var dataset: String
    /// The silver table's schema.
    public var schema: String
    /// `schema.table`
    public var table: String
    /// `postgres` or `sqlite`
    public var dialect: String
    public var tableExists: Bool
    /// Safe changes, applied by `apply` (and by the next run).
    public var additive: [Change]
    /// Changed types or key: never applied; each with its migration.
    public var refused: [SchemaEvolution.RefusedChange]
    /// Columns of the live table that the config no longer declares: kept.
    public var kept: [String]
    /// Integer columns narrower than the config's 64 bits (PostgreSQL `integer` made before `integer` was
    /// `bigint`): accepted; the widening migration is offered: `apply` runs it, a run never does.
    package var offered: [SchemaEvolution.NarrowInteger] = []
    /// Rows stored before the added columns: adding them marks these for rewrite (checksums cleared), so the
    /// next run that meets their keys, or `ingestctl replay`, writes the new columns.
    package var rowsToRewrite = 0
    /// The statement marking those rows for rewrite, which `apply` runs after the added columns, in their
    /// transaction (a run's preflight does the same); empty when no column is added.
    package var rewrite: [String] = []

    enum CodingKeys: String, CodingKey {
        case dataset, schema, table, dialect, additive, refused, kept, offered
        case tableExists = "table_exists"
        case rowsToRewrite = "rows_to_rewrite"
        case rewrite
    }

    /// Nothing to add and nothing refused.
    public var isEmpty: Bool { additive.isEmpty && refused.isEmpty }

    /// The plan as lines: `+` an additive change, `!` a refused one with its migration, `=` kept columns.
    public var text: String { text(applied: false) }

    /// The plan as lines; `applied`: its additive changes were applied (`--apply`).
    public func text(applied: Bool) -> String {
        var lines = ["plan for \(dataset): table \(table) on \(dialect)" + (tableExists ? "" : " (does not exist yet)")]
        lines += additive.map { "  + \($0.description)" }
        lines += refused.map { "  ! \($0.description) — refused; migration: \($0.migration)" }
        if !kept.isEmpty { lines.append("  = kept, no longer in the config (never dropped): \(kept.joined(separator: ", "))") }
        if rowsToRewrite > 0 {
            lines.append("  ~ the \(rowsToRewrite) row(s) stored before the added column(s) are marked for rewrite (checksums cleared): "
                         + "the next run writes the new column(s) for the keys it loads, `ingestctl replay \(dataset)` for every stored run's")
        }
        lines += offered.map { "  ~ \($0.description): a load that meets a value past that range fails; offered migration: \($0.migration)" }
        if isEmpty && offered.isEmpty {
            lines.append("no changes: the table matches its config")
        } else {
            if !additive.isEmpty {
                lines.append(applied ? "applied \(additive.count) additive change(s)"
                                     : "\(additive.count) additive change(s): `ingestctl plan \(dataset) --apply` (or the next run) applies them")
            }
            if !refused.isEmpty { lines.append("\(refused.count) change(s) refused: write the migration above (or revert the config); no run or --apply makes them") }
        }
        if !offered.isEmpty {
            lines.append(applied ? "applied \(offered.count) offered migration(s)"
                                 : "\(offered.count) migration(s) offered: `ingestctl plan \(dataset) --apply` runs them (the table is locked while "
                                   + "it is rewritten); no run makes them")
        }
        return lines.joined(separator: "\n")
    }

    /// The plan of `table` against what `warehouse` holds now; reads only.
    public static func make(_ table: TableSchema, in warehouse: any Warehouse) async throws -> TablePlan {
        let dialect = warehouse.dialect
        let ddl = DDL(dialect)
        let existing = try await warehouse.existingColumns(schema: table.schema, table: table.table)
        var plan = TablePlan(dataset: table.qualifiedName, schema: table.schema, table: "\(table.schema).\(table.table)", dialect: dialect.rawValue,
                             tableExists: !existing.isEmpty, additive: [], refused: [], kept: [])
        let indexes = table.columns.filter { $0.index && !$0.primaryKey }
        if existing.isEmpty {
            plan.additive.append(Change(kind: .createTable, description: "create table \(plan.table) (\(table.columns.count) columns, primary key (\(table.primaryKey.joined(separator: ", "))))",
                                        statements: ddl.createSchema(table.schema) + [ddl.createTable(table)]))
        } else {
            let (added, refused) = SchemaEvolution(dialect).differences(table, existing: existing)
            plan.refused = refused
            plan.offered = SchemaEvolution(dialect).narrowIntegers(table, existing: existing)
            plan.additive += added.map { column in
                Change(kind: .addColumn, description: "add column \(column.name) \(dialect.typeName(column.type))",
                       statements: [ddl.addColumn(column, to: table)])
            }
            if !added.isEmpty {
                plan.rewrite = [ddl.markForRewrite(table)]
                let counted = try await warehouse.execute("SELECT count(*) AS n FROM \(dialect.qualified(table.schema, table.table))")
                plan.rowsToRewrite = Int(counted.first?["n"] ?? "") ?? 0
            }
            let declared = Set(table.columns.map(\.name))
            plan.kept = existing.map(\.name).filter { !declared.contains($0) }
        }
        let present = existing.isEmpty ? [] : try await existingIndexes(table, in: warehouse)
        let statements = ddl.createIndexes(table)
        for (column, statement) in zip(indexes, statements) {
            let name = DDL.indexName(table: table.table, column: column.name)
            if !present.contains(name) {
                plan.additive.append(Change(kind: .createIndex, description: "create index \(name) on \(column.name)", statements: [statement]))
            }
        }
        let rejects = RejectsTable(for: table, dialect: dialect)
        if try await warehouse.existingColumns(schema: rejects.schema, table: rejects.table).isEmpty {
            plan.additive.append(Change(kind: .createRejectsTable, description: "create table \(rejects.schema).\(rejects.table) (rejected items)",
                                        statements: rejects.createStatements))
        }
        return plan
    }

    /// The index names of the live table (as DDL names them, without a schema).
    static func existingIndexes(_ table: TableSchema, in warehouse: any Warehouse) async throws -> Set<String> {
        let sql = warehouse.dialect.sql
        // Where a schema is a name prefix, the warehouse must know it to map the catalog's name (nothing is created).
        if sql.schemaIsNamePrefix { try await warehouse.ensureSchema(table.schema) }
        let rows = try await warehouse.execute(sql.indexNames(schema: table.schema, table: table.table))
        return Set(rows.compactMap { $0["name"] ?? nil })
    }

    /// Applies the additive changes and the offered migrations in one transaction (refused ones never); returns how many.
    @discardableResult
    public func apply(in warehouse: any Warehouse) async throws -> Int {
        guard !additive.isEmpty || !offered.isEmpty else { return 0 }
        if warehouse.dialect.sql.schemaIsNamePrefix {
            // A SQLite schema is a name prefix the warehouse learns; the transaction writes the tables.
            try await warehouse.ensureSchema(schema)
        }
        let statements = additive.flatMap(\.statements) + rewrite + offered.map(\.migration)
        try await warehouse.transaction { session in
            for statement in statements { try await session.execute(statement) }
        }
        return additive.count + offered.count
    }
}

extension Platform {
    /// The plan of `source.dataset`'s silver table (see ``TablePlan``); with `apply`, its additive
    /// changes applied, and the plan as it was before.
    public func plan(_ qualifiedName: String, in registry: SourceRegistry, apply: Bool = false) async throws -> TablePlan {
        let table = try registry.dataset(qualifiedName).tableSchema()
        return try await withWarehouse { warehouse in
            let plan = try await TablePlan.make(table, in: warehouse)
            if apply { try await plan.apply(in: warehouse) }
            return plan
        }
    }
}
