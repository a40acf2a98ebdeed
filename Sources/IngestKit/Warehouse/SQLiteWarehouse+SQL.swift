import IngestCommon

/// The SQL of the SQLite warehouse where it differs from PostgreSQL's (see `DialectSQL`).
///
/// Every schema lives in one file, as the prefix of its tables' names (`SQLiteRelationNames`),
/// so `schema.name` is written as on PostgreSQL and an index's name carries its schema too.
struct SQLiteSQL: DialectSQL {
    private let dialect = SQLDialect.sqlite
    private func quote(_ name: String) -> String { dialect.quote(name) }

    // MARK: Types and binds

    /// Numeric is kept as exact text (`DECIMAL_TEXT` has text affinity), so amounts never pass through a
    /// binary float; each type has its own name so a changed type is visible in `PRAGMA table_info`.
    func typeName(_ type: ColumnType) -> String {
        switch type {
        case .text: return "TEXT"
        case .date: return "DATE"
        case .numeric: return "DECIMAL_TEXT"
        case .boolean: return "BOOLEAN"
        case .integer: return "INTEGER"
        case .timestamp: return "TIMESTAMP"
        case .jsonb: return "JSON_TEXT"
        }
    }

    func columnType(alias declared: String) -> ColumnType? { nil }
    var bigIntegerType: String { "INTEGER" }
    /// A SQLite `INTEGER` holds 64 bits.
    func narrowIntegerRange(declared: String) -> ClosedRange<Int64>? { nil }
    func placeholder(_ index: Int, _ type: ColumnType) -> String { "?\(index)" }
    var placeholderPrefix: String { "?" }
    var nowUTC: String { "(strftime('%Y-%m-%d %H:%M:%f', 'now'))" }
    var maxBindParameters: Int { 32_766 }

    // MARK: DDL and the catalog

    var schemaIsNamePrefix: Bool { true }

    func createSchema(_ schema: String) -> [String] { [] }

    /// One file holds every schema, so the index name carries the schema too ("fixture.items__name__idx").
    func createIndex(_ name: String, schema: String, table: String, columns: [String]) -> String {
        "CREATE INDEX IF NOT EXISTS \(dialect.qualified(schema, name)) ON \(dialect.qualified(schema, table)) (\(columns.map(quote).joined(separator: ", ")))"
    }

    func scriptNote(schema: String, table: String) -> String? {
        "-- the SQLite warehouse keeps every schema in warehouse.sqlite: \(dialect.qualified(schema, table)) is the table "
            + "\(SQLiteRelationNames.quoted(SQLiteRelationNames.tableName(schema: schema, name: table))) there "
            + "(the SDK maps schema.table names; in the sqlite3 shell, write the quoted name)"
    }

    func typeChangeMigration(_ table: TableSchema, column: TableSchema.ColumnSpec) -> String {
        let fqn = dialect.qualified(table.schema, table.table)
        let old = dialect.qualified(table.schema, table.table + "_old")
        return "ALTER TABLE \(fqn) RENAME TO \(old); -- then run ingestctl again to create the new table, and copy: INSERT INTO \(fqn) SELECT … FROM \(old); \(Self.shellNote(table))"
    }

    func keyChangeMigration(_ table: TableSchema) -> String {
        "ALTER TABLE \(dialect.qualified(table.schema, table.table)) RENAME TO \(dialect.qualified(table.schema, table.table + "_old")); "
            + "-- then run ingestctl again and copy the rows over; \(Self.shellNote(table))"
    }

    /// How the names read in the `sqlite3` shell, where the SDK does not map `schema.table`.
    static func shellNote(_ table: TableSchema) -> String {
        let name = SQLiteRelationNames.tableName(schema: table.schema, name: table.table)
        return "in the sqlite3 shell on warehouse.sqlite these tables are \(SQLiteRelationNames.quoted(name)) and \(SQLiteRelationNames.quoted(name + "_old"))"
    }

    func indexNames(schema: String, table: String) -> SQLStatement {
        "SELECT name FROM \(raw: quote(schema)).sqlite_master WHERE type = 'index' AND tbl_name = \(text: table)"
    }

    // MARK: Models

    /// Shadows live beside the published table as `__shadow__<name>__<invocation>` and are published with `RENAME`.
    static let shadowPrefix = "__shadow__"

    func shadow(schema: String, name: String, invocation: String) -> (schema: String, name: String) {
        (schema, Self.shadowPrefix + name + "__" + invocation)
    }
    func schemas(forLayer schema: String) -> [String] { [schema] }
    /// SQLite cannot rename a view, which publishing needs.
    var buildsViews: Bool { false }

    func relations(in schemas: [String]) -> [SQLStatement] {
        schemas.map { schema in
            "SELECT \(raw: dialect.literal(schema)) AS schema, name, type AS kind FROM \(raw: quote(schema)).sqlite_master WHERE type IN ('table', 'view')"
        }
    }

    func relationKind(schema: String, name: String) -> SQLStatement {
        "SELECT type AS kind FROM \(raw: quote(schema)).sqlite_master WHERE name = \(text: name) AND type IN ('table', 'view')"
    }

    func isView(kind: String?) -> Bool { kind == "view" }

    /// `schema.name` maps to one table name in the warehouse file, so the new name is qualified too.
    func publish(shadow: (schema: String, name: String), as target: (schema: String, name: String), isView: Bool) -> [String] {
        ["ALTER TABLE \(dialect.qualified(shadow.schema, shadow.name)) RENAME TO \(dialect.qualified(target.schema, target.name))"]
    }

    // MARK: Portable helpers

    func daysBetween(_ start: String, _ end: String) -> String { "cast(julianday(\(end)) - julianday(\(start)) as integer)" }
    var currentDate: String { "date('now')" }
    func trim(_ expression: String, characters: String) -> String { "trim(\(expression), \(characters))" }

    func characters(_ characters: [Unicode.Scalar]) -> String {
        "char(" + characters.map { String($0.value) }.joined(separator: ", ") + ")"
    }

    func safeCast(_ expression: String, trimmed x: String, as type: ColumnType) -> String {
        switch type {
        case .integer:
            return "(case when \(x) <> '' and ltrim(\(x), '+-') <> '' and ltrim(\(x), '+-') not glob '*[^0-9]*' then cast(\(x) as integer) end)"
        case .numeric:
            return "(case when \(x) <> '' and ltrim(\(x), '+-') not glob '*[^0-9.]*' and \(x) not like '%.%.%' and ltrim(\(x), '+-') <> '.' then \(x) end)"
        case .date:
            return "(case when date(\(x)) = \(x) then \(x) end)"
        case .boolean:
            return "(case when lower(\(x)) in ('true','t','1','yes') then 1 when lower(\(x)) in ('false','f','0','no') then 0 end)"
        default:
            return "cast(\(expression) as text)"
        }
    }

    func dateOf(_ timestamp: String) -> String { "date(\(timestamp))" }

    func localDate(_ timestamp: String, utcOffsetMinutes: Int) -> String {
        "date(\(timestamp), '\(utcOffsetMinutes >= 0 ? "+" : "")\(utcOffsetMinutes) minutes')"
    }

    func datePart(_ part: Portable.DatePart, _ expression: String) -> String {
        switch part {
        case .year: return "cast(strftime('%Y', \(expression)) as integer)"
        case .month: return "cast(strftime('%m', \(expression)) as integer)"
        case .day: return "cast(strftime('%d', \(expression)) as integer)"
        case .isoDayOfWeek: return "(case cast(strftime('%w', \(expression)) as integer) when 0 then 7 else cast(strftime('%w', \(expression)) as integer) end)"
        }
    }

    // MARK: Silver loads

    var temporarySchema: String { "temp" }
}
