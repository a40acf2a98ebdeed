import IngestCommon

/// The SQL one kind of warehouse speaks, where the two differ: type names and binds, DDL,
/// catalog reads, how a model's shadow relation is named and published, the portable model
/// helpers (`Portable`), and the temporary schema of a silver load.
///
/// Each warehouse keeps its own beside it (`PostgresSQL` in `PostgresWarehouse+SQL.swift`,
/// `SQLiteSQL` in `SQLiteWarehouse+SQL.swift`); the rest of the platform writes one statement
/// for both and asks `dialect.sql` for the parts that differ, instead of branching on the dialect.
protocol DialectSQL: Sendable {
    // MARK: Types and binds

    /// The declared type of a column of `type`.
    func typeName(_ type: ColumnType) -> String
    /// A declared type name the catalog may report besides `typeName`'s, and the type it stands for.
    func columnType(alias declared: String) -> ColumnType?
    /// A 64-bit integer column (the ledger's `bytes`).
    var bigIntegerType: String { get }
    /// The values a declared integer type narrower than 64 bits holds (PostgreSQL's `integer`, `smallint`);
    /// `nil` for a 64-bit integer or another type.
    func narrowIntegerRange(declared: String) -> ClosedRange<Int64>?
    /// A bind placeholder for the `index`-th parameter (1-based) of the given type.
    func placeholder(_ index: Int, _ type: ColumnType) -> String
    /// What a placeholder starts with, before its number (`$` or `?`).
    var placeholderPrefix: String { get }
    /// The current UTC time as a `timestamp without time zone`.
    var nowUTC: String { get }
    /// How many bind parameters one statement may carry.
    var maxBindParameters: Int { get }

    // MARK: DDL and the catalog

    /// Whether a schema is only the prefix of its tables' names (SQLite), which the warehouse learns with
    /// `ensureSchema` and no statement creates; otherwise `createSchema` makes it (PostgreSQL).
    var schemaIsNamePrefix: Bool { get }
    /// The statements creating a schema (none where a schema is a name prefix).
    func createSchema(_ schema: String) -> [String]
    /// `CREATE INDEX IF NOT EXISTS name ON schema.table (columns)`.
    func createIndex(_ name: String, schema: String, table: String, columns: [String]) -> String
    /// A comment line for `ingestctl ddl` about how the table is named, if the warehouse needs one.
    func scriptNote(schema: String, table: String) -> String?
    /// The migration to write by hand when a column's type changes.
    func typeChangeMigration(_ table: TableSchema, column: TableSchema.ColumnSpec) -> String
    /// The migration to write by hand when the primary key changes.
    func keyChangeMigration(_ table: TableSchema) -> String
    /// The names of a table's indexes (column `name`), as DDL names them without a schema.
    func indexNames(schema: String, table: String) -> SQLStatement

    // MARK: Models

    /// The shadow relation one build (`invocation`, a short token) writes before publishing it as `schema.name`:
    /// named per invocation, so two builds of one model at once never write the same relation.
    func shadow(schema: String, name: String, invocation: String) -> (schema: String, name: String)
    /// The schemas a layer's models need (the layer's own, and one for shadows where they have one).
    func schemas(forLayer schema: String) -> [String]
    /// Whether a view model is built as a view; where views cannot be renamed (SQLite) it is a table
    /// refreshed whenever it is read.
    var buildsViews: Bool { get }
    /// The relations of `schemas`: columns `schema`, `name`, `kind` (`isView(kind:)` tells a view).
    func relations(in schemas: [String]) -> [SQLStatement]
    /// The kind of one relation (column `kind`), no row when it does not exist.
    func relationKind(schema: String, name: String) -> SQLStatement
    /// Whether a `kind` read by `relations(in:)` or `relationKind` is a view.
    func isView(kind: String?) -> Bool
    /// Moves the built shadow relation to where it is published (the published one is dropped first), in order.
    func publish(shadow: (schema: String, name: String), as target: (schema: String, name: String), isView: Bool) -> [String]

    // MARK: Portable helpers (see `Portable`)

    func daysBetween(_ start: String, _ end: String) -> String
    var currentDate: String { get }
    /// `expression` without the leading and trailing `characters` (a SQL expression of a string).
    func trim(_ expression: String, characters: String) -> String
    /// A SQL string holding exactly `characters`, written with escapes.
    func characters(_ characters: [Unicode.Scalar]) -> String
    /// `trimmed` (already trimmed text) cast to `type`, NULL when it is not a value of it; `expression` is the value itself.
    func safeCast(_ expression: String, trimmed: String, as type: ColumnType) -> String
    func dateOf(_ timestamp: String) -> String
    func localDate(_ timestamp: String, utcOffsetMinutes: Int) -> String
    func datePart(_ part: Portable.DatePart, _ expression: String) -> String

    // MARK: Silver loads

    /// The schema of a session's temporary tables (`pg_temp`, `temp`).
    var temporarySchema: String { get }
}

extension SQLDialect {
    /// The SQL this dialect's warehouse speaks where the two differ.
    var sql: any DialectSQL {
        switch self {
        case .postgres: return PostgresSQL()
        case .sqlite: return SQLiteSQL()
        }
    }
}
