import IngestCommon

/// How `ingestctl new` turns source, dataset and JSON key names into folder, type, variable,
/// property and column names.
///
/// `city_permits` → folder and module `CityPermits`, source type `CityPermitsSource`, variables
/// `CITY_PERMITS_BASE_URL` / `CITY_PERMITS_API_TOKEN`; dataset `permits` → `PermitsRow`, `PermitsTable`, …;
/// JSON key `permitNumber` or `permit_number` → column `permit_number`, property `permitNumber`.
public enum ScaffoldNames {
    /// Columns the SDK fills; a JSON field with one of these names becomes `source_<name>`.
    public static let reservedColumns: Set<String> = ["bronze_object_path", "checksum_sha256", "ingested_at"]

    /// `city_permits` → `CityPermits`.
    public static func typeName(_ snake: String) -> String {
        snake.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `city_permits` → `CITY_PERMITS`.
    public static func variablePrefix(_ source: String) -> String { source.uppercased() }

    /// A JSON key path as a column: each key in snake_case, joined by `_` (`location.city` → `location_city`);
    /// a key that is already a safe snake_case name keeps its exact name (`_id`, `sku_2`). A name longer
    /// than 63 bytes is cut with a hash suffix (`Identifier.fitted`).
    public static func column(for path: [String]) -> String {
        let name = path.map { Identifier.isSafe($0) ? $0 : Identifier.suggestion(for: $0) }.joined(separator: "_")
        if Identifier.isSafe(name) { return name }
        let fitted = Identifier.fitted(name)
        return Identifier.isSafe(fitted) ? fitted : Identifier.fitted(Identifier.suggestion(for: name))
    }

    /// A snake_case column as a Swift property: `permit_number` → `permitNumber`; a Swift keyword or
    /// a name starting with a digit or `_` gets a suffix or prefix (`default` → `defaultValue`).
    public static func property(_ column: String) -> String {
        let parts = column.split(separator: "_").map(String.init)
        guard let first = parts.first else { return "field" }
        var name = first + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if let initial = name.first, initial.isNumber { name = "field" + name }
        if swiftKeywords.contains(name) { name += "Value" }
        return name
    }

    /// Makes every field's column unique and free of the SDK's own columns (`_2`, `source_…`); a suffixed
    /// name is cut first so it stays within 63 bytes, and checked again.
    public static func uniqueColumns(_ fields: [InferredField]) -> [InferredField] {
        var used = reservedColumns
        return fields.map { field in
            var field = field
            var name = reservedColumns.contains(field.column) ? "source_" + field.column : field.column
            if used.contains(name) {
                var n = 2
                while used.contains(Identifier.suffixed(name, "_\(n)")) { n += 1 }
                name = Identifier.suffixed(name, "_\(n)")
            }
            used.insert(name)
            field.column = name
            return field
        }
    }

    /// A column name as it is written into a model's SQL: double-quoted when it is an SQL keyword.
    public static func sqlColumn(_ column: String) -> String {
        sqlKeywords.contains(column) ? Identifier.quoted(column) : column
    }

    static let swiftKeywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows", "static",
        "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer", "do", "else",
        "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while", "as", "false",
        "is", "nil", "self", "super", "throws", "true", "try", "await", "async", "any", "some", "Type", "Self",
    ]

    /// Reserved words of PostgreSQL and SQLite that a JSON key can plausibly be.
    static let sqlKeywords: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast", "check",
        "collate", "column", "constraint", "create", "current_date", "current_time", "current_timestamp", "current_user",
        "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign",
        "from", "grant", "group", "having", "in", "index", "initially", "intersect", "into", "is", "join", "key", "leading",
        "limit", "natural", "not", "null", "offset", "on", "only", "or", "order", "placing", "primary", "references",
        "returning", "select", "session_user", "some", "symmetric", "table", "then", "to", "trailing", "true", "union",
        "unique", "user", "using", "values", "variadic", "when", "where", "window", "with", "action", "by", "year", "month",
        "day", "hour", "minute", "second", "time", "timestamp", "date", "type", "value", "left", "right", "full", "inner",
        "outer", "cross", "between", "like", "exists", "set", "update", "delete", "insert", "view", "transaction",
    ]
}
