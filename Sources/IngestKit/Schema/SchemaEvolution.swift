import IngestCommon

/// Compares a config with the table already in the warehouse.
///
/// Adding a column is safe and done on the next run. A changed type or
/// primary key could lose data, so it is refused with the migration to write.
public struct SchemaEvolution: Sendable {
    public struct ExistingColumn: Sendable, Hashable {
        public var name: String
        public var declaredType: String
        public var primaryKey: Bool
        public init(name: String, declaredType: String, primaryKey: Bool) {
            self.name = name
            self.declaredType = declaredType
            self.primaryKey = primaryKey
        }
    }

    public var dialect: SQLDialect

    public init(_ dialect: SQLDialect) { self.dialect = dialect }

    /// The statements that bring `existing` up to `table`, or an error showing the migration to write.
    public func plan(_ table: TableSchema, existing: [ExistingColumn]) throws -> [String] {
        let ddl = DDL(dialect)
        let fqn = dialect.qualified(table.schema, table.table)
        let byName = Dictionary(existing.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [String] = []
        for column in table.columns {
            guard let current = byName[column.name] else { continue }
            let currentType = dialect.columnType(declared: current.declaredType)
            if currentType != column.type {
                let migration: String
                switch dialect {
                case .postgres:
                    migration = "ALTER TABLE \(fqn) ALTER COLUMN \(dialect.quote(column.name)) TYPE \(column.type.rawValue) USING \(dialect.quote(column.name))::\(column.type.rawValue);"
                case .sqlite:
                    migration = "ALTER TABLE \(fqn) RENAME TO \(dialect.qualified(table.schema, table.table + "_old")); -- then run ingestctl again to create the new table, and copy: INSERT INTO \(fqn) SELECT … FROM \(dialect.qualified(table.schema, table.table + "_old")); \(Self.sqliteShellNote(table))"
                }
                changes.append("column \(column.name) is \(current.declaredType) in the warehouse but \(dialect.typeName(column.type)) in the config; migration: \(migration)")
            }
        }
        let existingKey = existing.filter(\.primaryKey).map(\.name)
        if !existing.isEmpty, Set(existingKey) != Set(table.primaryKey) {
            let migration: String
            switch dialect {
            case .postgres:
                migration = "ALTER TABLE \(fqn) DROP CONSTRAINT \(dialect.quote(table.table + "_pkey")), ADD PRIMARY KEY (\(table.primaryKey.map(dialect.quote).joined(separator: ", "))); -- after removing duplicate keys"
            case .sqlite:
                migration = "ALTER TABLE \(fqn) RENAME TO \(dialect.qualified(table.schema, table.table + "_old")); -- then run ingestctl again and copy the rows over; \(Self.sqliteShellNote(table))"
            }
            changes.append("the primary key is (\(existingKey.joined(separator: ", "))) in the warehouse but (\(table.primaryKey.joined(separator: ", "))) in the config; migration: \(migration)")
        }
        if !changes.isEmpty {
            throw IngestError("table \(table.schema).\(table.table) of \(table.qualifiedName) does not match its config: " + changes.joined(separator: "; "),
                              fix: "run the migration above (or revert the config); only added columns are applied automatically")
        }
        return table.columns.filter { byName[$0.name] == nil }.map { ddl.addColumn($0, to: table) }
    }

    /// How the names read in the `sqlite3` shell, where the SDK does not map `schema.table`.
    static func sqliteShellNote(_ table: TableSchema) -> String {
        let name = SQLiteRelationNames.tableName(schema: table.schema, name: table.table)
        return "in the sqlite3 shell on warehouse.sqlite these tables are \(SQLiteRelationNames.quoted(name)) and \(SQLiteRelationNames.quoted(name + "_old"))"
    }
}
