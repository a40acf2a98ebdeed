import IngestCommon

/// The DDL of a silver table: schema, table, primary key, NOT NULL,
/// `ingested_at` defaulting to now, indexes — every statement `IF NOT EXISTS`,
/// so running it twice is harmless.
public struct DDL: Sendable {
    public var dialect: SQLDialect

    public init(_ dialect: SQLDialect) { self.dialect = dialect }

    /// Statements creating the schema (PostgreSQL only; on SQLite a schema is the `schema.` prefix of its tables' names).
    public func createSchema(_ schema: String) -> [String] {
        switch dialect {
        case .postgres: return ["CREATE SCHEMA IF NOT EXISTS \(dialect.quote(schema))"]
        case .sqlite: return []
        }
    }

    public func columnDefinition(_ column: TableSchema.ColumnSpec, table: TableSchema) -> String {
        var text = "\(dialect.quote(column.name)) \(dialect.typeName(column.type))"
        if column.notNull { text += " NOT NULL" }
        if column.name == table.ingestedAtColumn { text += " DEFAULT \(dialect.nowUTC)" }
        return text
    }

    public func createTable(_ table: TableSchema) -> String {
        var lines = table.columns.map { "    " + columnDefinition($0, table: table) }
        lines.append("    PRIMARY KEY (\(table.primaryKey.map(dialect.quote).joined(separator: ", ")))")
        return "CREATE TABLE IF NOT EXISTS \(dialect.qualified(table.schema, table.table)) (\n"
            + lines.joined(separator: ",\n") + "\n)"
    }

    public static func indexName(table: String, column: String) -> String {
        String("\(table)__\(column)__idx".prefix(Identifier.maxLength))
    }

    public func createIndexes(_ table: TableSchema) -> [String] {
        table.columns.filter { $0.index && !$0.primaryKey }.map { column in
            let name = Self.indexName(table: table.table, column: column.name)
            switch dialect {
            case .postgres:
                return "CREATE INDEX IF NOT EXISTS \(dialect.quote(name)) ON \(dialect.qualified(table.schema, table.table)) (\(dialect.quote(column.name)))"
            case .sqlite:
                // One file holds every schema, so the index name carries the schema too ("fixture.items__name__idx").
                return "CREATE INDEX IF NOT EXISTS \(dialect.qualified(table.schema, name)) ON \(dialect.qualified(table.schema, table.table)) (\(dialect.quote(column.name)))"
            }
        }
    }

    public func addColumn(_ column: TableSchema.ColumnSpec, to table: TableSchema) -> String {
        // Added columns are nullable: rows already stored have no value for them.
        var spec = column
        spec.notNull = false
        return "ALTER TABLE \(dialect.qualified(table.schema, table.table)) ADD COLUMN \(columnDefinition(spec, table: table))"
    }

    /// Every statement, in order, that brings an absent table into being.
    public func statements(for table: TableSchema) -> [String] {
        createSchema(table.schema) + [createTable(table)] + createIndexes(table)
    }

    /// The DDL as a script, as `ingestctl ddl` prints it.
    public func script(for table: TableSchema) -> String {
        var out = "-- \(table.qualifiedName) (\(dialect.rawValue))\n"
        if dialect == .sqlite {
            out += "-- the SQLite warehouse keeps every schema in warehouse.sqlite: \(dialect.qualified(table.schema, table.table)) is the table "
                + "\(SQLiteRelationNames.quoted(SQLiteRelationNames.tableName(schema: table.schema, name: table.table))) there "
                + "(the SDK maps schema.table names; in the sqlite3 shell, write the quoted name)\n"
        }
        return out + statements(for: table).map { $0 + ";" }.joined(separator: "\n") + "\n"
    }
}
