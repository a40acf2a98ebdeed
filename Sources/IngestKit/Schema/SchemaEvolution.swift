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

    /// A difference that is not applied automatically: what differs, and the migration to write.
    public struct RefusedChange: Sendable, Hashable, Codable {
        /// `column amount is TEXT in the warehouse but numeric in the config`
        public var description: String
        /// The SQL (or the steps) that would make the change by hand.
        public var migration: String
    }

    /// The statements that bring `existing` up to `table`, or an error showing the migration to write.
    public func plan(_ table: TableSchema, existing: [ExistingColumn]) throws -> [String] {
        let (added, refused) = differences(table, existing: existing)
        if !refused.isEmpty {
            throw IngestError("table \(table.schema).\(table.table) of \(table.qualifiedName) does not match its config: "
                                  + refused.map { "\($0.description); migration: \($0.migration)" }.joined(separator: "; "),
                              fix: "run the migration above (or revert the config); only added columns are applied automatically")
        }
        let ddl = DDL(dialect)
        return added.map { ddl.addColumn($0, to: table) }
    }

    /// The config's columns the table lacks (safe to add), and the changed types and key (refused).
    public func differences(_ table: TableSchema, existing: [ExistingColumn]) -> (added: [TableSchema.ColumnSpec], refused: [RefusedChange]) {
        let byName = Dictionary(existing.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var refused: [RefusedChange] = []
        for column in table.columns {
            guard let current = byName[column.name] else { continue }
            let currentType = dialect.columnType(declared: current.declaredType)
            if currentType != column.type {
                refused.append(RefusedChange(
                    description: "column \(column.name) is \(current.declaredType) in the warehouse but \(dialect.typeName(column.type)) in the config",
                    migration: dialect.sql.typeChangeMigration(table, column: column)))
            }
        }
        let existingKey = existing.filter(\.primaryKey).map(\.name)
        if !existing.isEmpty, Set(existingKey) != Set(table.primaryKey) {
            refused.append(RefusedChange(
                description: "the primary key is (\(existingKey.joined(separator: ", "))) in the warehouse but (\(table.primaryKey.joined(separator: ", "))) in the config",
                migration: dialect.sql.keyChangeMigration(table)))
        }
        return (table.columns.filter { byName[$0.name] == nil }, refused)
    }
}
