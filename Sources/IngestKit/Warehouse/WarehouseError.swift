import IngestCommon

/// A statement the database refused. The message is the database's; the SQL is
/// kept short (a bulk statement can be megabytes) and passed through the redactor.
public enum WarehouseError: Error, CustomStringConvertible, Sendable {
    case statementFailed(sql: String, message: String)

    public var description: String {
        switch self {
        case .statementFailed(let sql, let message):
            let oneLine = sql.split(whereSeparator: \.isNewline).joined(separator: " ")
            let short = oneLine.count > 160 ? String(oneLine.prefix(160)) + "…" : oneLine
            return Redactor.shared.redact("\(message) (in: \(short))")
        }
    }
}
