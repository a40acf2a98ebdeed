/// The column types a silver table may use (the guide's supported set).
public enum ColumnType: String, Sendable, CaseIterable, Codable {
    case text
    case date
    case numeric
    case boolean
    case integer
    case timestamp = "timestamp without time zone"
    case jsonb
}
