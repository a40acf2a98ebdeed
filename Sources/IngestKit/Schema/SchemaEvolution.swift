import IngestCommon

/// Compares a config with the table already in the warehouse.
///
/// Adding a column is safe and done on the next run; the rows stored before are marked for rewrite
/// (checksums cleared), so the next load that meets them fills the column. A changed type or
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

    /// An existing integer column narrower than the config's 64-bit `integer` (a PostgreSQL `integer`
    /// column made before `integer` was `bigint`): accepted, with the migration that widens it offered
    /// (`ingestctl plan --apply` runs it; a run never does).
    package struct NarrowInteger: Sendable, Hashable, Codable {
        package var column: String
        /// As the catalog names it: `integer`, `smallint`.
        package var declaredType: String
        /// The values it holds.
        package var minimum: Int64
        package var maximum: Int64
        /// `ALTER TABLE … ALTER COLUMN … TYPE bigint …;`
        package var migration: String

        /// `column quantity is integer in the warehouse (values from -2147483648 to 2147483647); the config's integer is 64-bit`
        package var description: String

        enum CodingKeys: String, CodingKey {
            case column, minimum, maximum, migration, description
            case declaredType = "declared_type"
        }

        package init(column: String, declaredType: String, range: ClosedRange<Int64>, migration: String) {
            self.column = column
            self.declaredType = declaredType
            minimum = range.lowerBound
            maximum = range.upperBound
            self.migration = migration
            description = "column \(column) is \(declaredType) in the warehouse (values from \(range.lowerBound) to \(range.upperBound)); "
                + "the config's integer is 64-bit"
        }
    }

    /// The config's `integer` columns the table holds in a narrower integer type, with the widening migration.
    package func narrowIntegers(_ table: TableSchema, existing: [ExistingColumn]) -> [NarrowInteger] {
        let byName = Dictionary(existing.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return table.columns.compactMap { column in
            guard column.type == .integer, let current = byName[column.name],
                  let range = dialect.sql.narrowIntegerRange(declared: current.declaredType) else { return nil }
            return NarrowInteger(column: column.name, declaredType: current.declaredType, range: range,
                                 migration: dialect.sql.typeChangeMigration(table, column: column))
        }
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
        // The rows stored before an added column are marked for rewrite (checksums cleared), so the next run
        // or `ingestctl replay` writes the column instead of leaving it NULL.
        return added.map { ddl.addColumn($0, to: table) } + (added.isEmpty ? [] : [ddl.markForRewrite(table)])
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
