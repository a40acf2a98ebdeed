import IngestCommon

/// The SQL flavour of a warehouse. Everything the platform writes (DDL,
/// upserts, state, models) is rendered through this, so one description of a
/// table or model runs on both.
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

    /// The declared column type. SQLite keeps numeric as exact text (`DECIMAL_TEXT` has
    /// text affinity), so amounts never pass through a binary float; each type has its own
    /// name so a changed type is visible in `PRAGMA table_info`.
    public func typeName(_ type: ColumnType) -> String {
        switch (self, type) {
        case (.postgres, _): return type.rawValue
        case (.sqlite, .text): return "TEXT"
        case (.sqlite, .date): return "DATE"
        case (.sqlite, .numeric): return "DECIMAL_TEXT"
        case (.sqlite, .boolean): return "BOOLEAN"
        case (.sqlite, .integer): return "INTEGER"
        case (.sqlite, .timestamp): return "TIMESTAMP"
        case (.sqlite, .jsonb): return "JSON_TEXT"
        }
    }

    /// The column type a declared type name stands for, as read back from the catalog.
    public func columnType(declared: String) -> ColumnType? {
        let name = declared.lowercased()
        if self == .postgres, name == "bigint" || name == "smallint" { return .integer }
        return ColumnType.allCases.first { typeName($0).lowercased() == name }
    }

    /// A bind placeholder for the `index`-th parameter (1-based) of the given type.
    public func placeholder(_ index: Int, _ type: ColumnType) -> String {
        switch self {
        case .postgres: return "$\(index)::\(type.rawValue)"
        case .sqlite: return "?\(index)"
        }
    }

    /// The current UTC time as a `timestamp without time zone`.
    public var nowUTC: String {
        switch self {
        case .postgres: return "(now() at time zone 'utc')"
        case .sqlite: return "(strftime('%Y-%m-%d %H:%M:%f', 'now'))"
        }
    }

    /// How many bind parameters one statement may carry.
    public var maxBindParameters: Int {
        switch self {
        case .postgres: return 65_535
        case .sqlite: return 32_766
        }
    }

    /// A text literal.
    public func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
