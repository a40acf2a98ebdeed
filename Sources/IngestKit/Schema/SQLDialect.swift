import IngestCommon

/// The SQL flavour of a warehouse. Everything the platform writes (DDL,
/// upserts, state, models) is rendered through this, so one description of a
/// table or model runs on both; what differs lives with each warehouse
/// (`DialectSQL`: `PostgresSQL`, `SQLiteSQL`).
///
/// `schema.table` is written the same for both: the SQLite warehouse keeps
/// every schema in one file and maps the name to its table
/// `"schema.table"` as the statement runs (see `SQLiteRelationNames`).
public enum SQLDialect: String, Sendable, CaseIterable, Codable {
    case sqlite
    case postgres

    public func quote(_ identifier: String) -> String { Identifier.quoted(identifier) }

    public func qualified(_ schema: String, _ name: String) -> String {
        quote(schema) + "." + quote(name)
    }

    /// The declared column type (on SQLite, numeric is exact text: `DECIMAL_TEXT`; see `DialectSQL`).
    public func typeName(_ type: ColumnType) -> String { sql.typeName(type) }

    /// The column type a declared type name stands for, as read back from the catalog.
    public func columnType(declared: String) -> ColumnType? {
        let name = declared.lowercased()
        if let type = sql.columnType(alias: name) { return type }
        return ColumnType.allCases.first { typeName($0).lowercased() == name }
    }

    /// A bind placeholder for the `index`-th parameter (1-based) of the given type.
    public func placeholder(_ index: Int, _ type: ColumnType) -> String { sql.placeholder(index, type) }

    /// The current UTC time as a `timestamp without time zone`.
    public var nowUTC: String { sql.nowUTC }

    /// How many bind parameters one statement may carry.
    public var maxBindParameters: Int { sql.maxBindParameters }

    /// A text literal.
    public func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
