import IngestCommon

/// The SQL of the PostgreSQL warehouse where it differs from SQLite's (see `DialectSQL`).
struct PostgresSQL: DialectSQL {
    private let dialect = SQLDialect.postgres
    private func quote(_ name: String) -> String { dialect.quote(name) }

    // MARK: Types and binds

    /// An `integer` column is `bigint` (64 bits, as a Swift `Int`); the rest are the type's raw value.
    func typeName(_ type: ColumnType) -> String { type == .integer ? bigIntegerType : type.rawValue }

    /// A table made before integers were `bigint` has `integer` (int4) columns, or `smallint` ones made by
    /// hand: both are accepted as `integer` (a load refuses a value past their range, naming the migration).
    func columnType(alias declared: String) -> ColumnType? {
        narrowIntegerRange(declared: declared) != nil ? .integer : nil
    }

    var bigIntegerType: String { "bigint" }

    func narrowIntegerRange(declared: String) -> ClosedRange<Int64>? {
        switch declared.lowercased() {
        case "integer": return Int64(Int32.min)...Int64(Int32.max)
        case "smallint": return Int64(Int16.min)...Int64(Int16.max)
        default: return nil
        }
    }
    /// `$n::type`; an integer bind is a Swift `Int`, so it is sent as a `bigint` (the column it is assigned to
    /// decides what fits: a `bigint` column takes all of it, an `integer` column refuses what it cannot hold).
    func placeholder(_ index: Int, _ type: ColumnType) -> String { "$\(index)::\(typeName(type))" }
    var placeholderPrefix: String { "$" }
    var nowUTC: String { "(now() at time zone 'utc')" }
    var maxBindParameters: Int { 65_535 }

    // MARK: DDL and the catalog

    var schemaIsNamePrefix: Bool { false }

    func createSchema(_ schema: String) -> [String] { ["CREATE SCHEMA IF NOT EXISTS \(quote(schema))"] }

    func createIndex(_ name: String, schema: String, table: String, columns: [String]) -> String {
        "CREATE INDEX IF NOT EXISTS \(quote(name)) ON \(dialect.qualified(schema, table)) (\(columns.map(quote).joined(separator: ", ")))"
    }

    func scriptNote(schema: String, table: String) -> String? { nil }

    func typeChangeMigration(_ table: TableSchema, column: TableSchema.ColumnSpec) -> String {
        let name = quote(column.name)
        let type = typeName(column.type)
        return "ALTER TABLE \(dialect.qualified(table.schema, table.table)) ALTER COLUMN \(name) TYPE \(type) USING \(name)::\(type);"
    }

    func keyChangeMigration(_ table: TableSchema) -> String {
        "ALTER TABLE \(dialect.qualified(table.schema, table.table)) DROP CONSTRAINT \(quote(table.table + "_pkey")), "
            + "ADD PRIMARY KEY (\(table.primaryKey.map(quote).joined(separator: ", "))); -- after removing duplicate keys"
    }

    func indexNames(schema: String, table: String) -> SQLStatement {
        "SELECT indexname AS name FROM pg_indexes WHERE schemaname = \(text: schema) AND tablename = \(text: table)"
    }

    // MARK: Models

    /// Shadows live in a schema of their own (`marts__shadow`), named `<model>__<invocation>` (the model's name cut
    /// to fit PostgreSQL's 63 bytes), and are published with `SET SCHEMA` and `RENAME`.
    static let shadowSuffix = "__shadow"

    func shadow(schema: String, name: String, invocation: String) -> (schema: String, name: String) {
        (schema + Self.shadowSuffix, String(name.prefix(Identifier.maxLength - 2 - invocation.count)) + "__" + invocation)
    }
    func schemas(forLayer schema: String) -> [String] { [schema, schema + Self.shadowSuffix] }
    var buildsViews: Bool { true }

    func relations(in schemas: [String]) -> [SQLStatement] {
        ["""
        SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN (\(raw: schemas.map(dialect.literal).joined(separator: ", "))) AND c.relkind IN ('r', 'v', 'p', 'm')
        """]
    }

    func relationKind(schema: String, name: String) -> SQLStatement {
        """
        SELECT c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = \(text: schema) AND c.relname = \(text: name) AND c.relkind IN ('r', 'v', 'p', 'm')
        """
    }

    func isView(kind: String?) -> Bool { kind == "v" }

    func publish(shadow: (schema: String, name: String), as target: (schema: String, name: String), isView: Bool) -> [String] {
        let kind = isView ? "VIEW" : "TABLE"
        return ["ALTER \(kind) \(dialect.qualified(shadow.schema, shadow.name)) SET SCHEMA \(quote(target.schema))",
                "ALTER \(kind) \(dialect.qualified(target.schema, shadow.name)) RENAME TO \(quote(target.name))"]
    }

    // MARK: Portable helpers

    func daysBetween(_ start: String, _ end: String) -> String { "(cast(\(end) as date) - cast(\(start) as date))" }
    var currentDate: String { "cast(now() at time zone 'utc' as date)" }
    func trim(_ expression: String, characters: String) -> String { "btrim(\(expression), \(characters))" }

    func characters(_ characters: [Unicode.Scalar]) -> String {
        func hex4(_ value: UInt32) -> String {
            let digits = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
        return "E'" + characters.map { "\\u" + hex4($0.value) }.joined() + "'"
    }

    func safeCast(_ expression: String, trimmed x: String, as type: ColumnType) -> String {
        switch type {
        case .integer:
            return "(case when \(x) ~ '^[+-]?[0-9]{1,18}$' then cast(\(x) as bigint) end)"
        case .numeric:
            return "(case when \(x) ~ '^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)$' then cast(\(x) as numeric) end)"
        case .date:
            // PostgreSQL has no try-cast: check the month's length before casting (CASE evaluates in order).
            let lastDay = "cast(extract(day from cast(substr(\(x), 1, 7) || '-01' as date) + interval '1 month' - interval '1 day') as integer)"
            return "(case when \(x) ~ '^[1-9][0-9]{3}-(0[1-9]|1[0-2])-[0-3][0-9]$' then (case when cast(substr(\(x), 9, 2) as integer) between 1 and \(lastDay) then cast(\(x) as date) end) end)"
        case .boolean:
            return "(case when lower(\(x)) in ('true','t','1','yes') then true when lower(\(x)) in ('false','f','0','no') then false end)"
        default:
            return "cast(\(expression) as \(type.rawValue))"
        }
    }

    func dateOf(_ timestamp: String) -> String { "cast(\(timestamp) as date)" }

    func localDate(_ timestamp: String, utcOffsetMinutes: Int) -> String {
        "cast(\(timestamp) + interval '\(utcOffsetMinutes) minutes' as date)"
    }

    func datePart(_ part: Portable.DatePart, _ expression: String) -> String {
        switch part {
        case .year: return "cast(extract(year from \(expression)) as integer)"
        case .month: return "cast(extract(month from \(expression)) as integer)"
        case .day: return "cast(extract(day from \(expression)) as integer)"
        case .isoDayOfWeek: return "cast(extract(isodow from \(expression)) as integer)"
        }
    }

    // MARK: Silver loads

    var temporarySchema: String { "pg_temp" }
}
