import IngestCommon

/// The DDL of a silver table: schema, table, primary key, NOT NULL,
/// `ingested_at` defaulting to now, indexes — every statement `IF NOT EXISTS`,
/// so running it twice is harmless.
public struct DDL: Sendable {
    public var dialect: SQLDialect

    public init(_ dialect: SQLDialect) { self.dialect = dialect }

    /// Statements creating the schema (PostgreSQL only; on SQLite a schema is the `schema.` prefix of its tables' names).
    public func createSchema(_ schema: String) -> [String] {
        dialect.sql.createSchema(schema)
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

    /// `<table>__<column>__idx`; cut with a hash suffix when longer than 63 bytes (`Identifier.fitted`), so two
    /// long indexed columns sharing a prefix never share one index name.
    public static func indexName(table: String, column: String) -> String {
        Identifier.fitted("\(table)__\(column)__idx")
    }

    public func createIndexes(_ table: TableSchema) -> [String] {
        table.columns.filter { $0.index && !$0.primaryKey }.map { column in
            dialect.sql.createIndex(Self.indexName(table: table.table, column: column.name), schema: table.schema, table: table.table,
                                    columns: [column.name])
        }
    }

    public func addColumn(_ column: TableSchema.ColumnSpec, to table: TableSchema) -> String {
        // Added columns are nullable: rows already stored have no value for them.
        var spec = column
        spec.notNull = false
        return "ALTER TABLE \(dialect.qualified(table.schema, table.table)) ADD COLUMN \(columnDefinition(spec, table: table))"
    }

    /// Marks every stored row for rewrite: its checksum is cleared (`''`, which no row's SHA-256 equals), so the
    /// next load that meets its key writes the whole row, columns added since included.
    package func markForRewrite(_ table: TableSchema) -> String {
        let checksum = dialect.quote(table.checksumColumn)
        return "UPDATE \(dialect.qualified(table.schema, table.table)) SET \(checksum) = '' WHERE \(checksum) <> ''"
    }

    /// Every statement, in order, that brings an absent table into being.
    public func statements(for table: TableSchema) -> [String] {
        createSchema(table.schema) + [createTable(table)] + createIndexes(table)
    }

    /// The DDL as a script, as `ingestctl ddl` prints it.
    public func script(for table: TableSchema) -> String {
        var out = "-- \(table.qualifiedName) (\(dialect.rawValue))\n"
        if let note = dialect.sql.scriptNote(schema: table.schema, table: table.table) { out += note + "\n" }
        return out + statements(for: table).map { $0 + ";" }.joined(separator: "\n") + "\n"
    }
}
