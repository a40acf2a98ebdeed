import IngestCommon

/// A statement the database refused, with what the server said as fields.
///
/// `message` is the database's primary message; on PostgreSQL `sqlState` is the
/// five-character SQLSTATE (`23505`, `55P03`, …) and `detail`/`hint` are the
/// server's, so callers test `error.sqlState == .uniqueViolation` rather than
/// the text. The description keeps the SQL short (a bulk statement can be
/// megabytes) and passes through the redactor.
public struct WarehouseError: Error, CustomStringConvertible, Sendable {
    /// The statement as written (shortened in `description`).
    public var sql: String
    /// The database's message (SQLite's error text; PostgreSQL's primary message).
    public var message: String
    /// PostgreSQL's SQLSTATE; `nil` on SQLite and for errors the server did not send.
    public var sqlState: SQLState?
    /// PostgreSQL's `DETAIL`.
    public var detail: String?
    /// PostgreSQL's `HINT`.
    public var hint: String?

    public init(sql: String, message: String, sqlState: SQLState? = nil, detail: String? = nil, hint: String? = nil) {
        self.sql = sql
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
    }

    /// The server's words in one line: `message [SQLSTATE]; detail; hint: hint`.
    public var serverText: String {
        var text = message
        if let sqlState { text += " [\(sqlState.rawValue)]" }
        if let detail { text += "; \(detail)" }
        if let hint { text += "; hint: \(hint)" }
        return text
    }

    public var description: String {
        let oneLine = sql.split(whereSeparator: \.isNewline).joined(separator: " ")
        let short = oneLine.count > 160 ? String(oneLine.prefix(160)) + "…" : oneLine
        return Redactor.shared.redact("\(serverText) (in: \(short))")
    }
}

/// A PostgreSQL SQLSTATE code (appendix A of its manual); the codes the platform acts on are named.
public struct SQLState: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// `23505`: a unique index refused a duplicate (also two concurrent `CREATE SCHEMA IF NOT EXISTS`).
    public static let uniqueViolation: SQLState = "23505"
    /// `42P06`: the schema exists.
    public static let duplicateSchema: SQLState = "42P06"
    /// `55P03`: `lock_timeout` passed while waiting for a lock.
    public static let lockNotAvailable: SQLState = "55P03"
    /// `40P01`: the server ended this transaction to break a deadlock.
    public static let deadlockDetected: SQLState = "40P01"
}
