import IngestCommon
import NIOCore

/// One row of a query result, every value as text (NULL as `nil`).
///
/// Text keeps the result portable: both dialects return the same strings for
/// the same data, which is what the state listing, data tests and reports need.
public struct ResultRow: Sendable, Hashable {
    public var columns: [String]
    public var values: [String?]

    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ name: String) -> String? {
        guard let index = columns.firstIndex(of: name) else { return nil }
        return values[index]
    }
}

/// Something that runs SQL: a warehouse, or one open transaction of it.
public protocol SQLSession: Sendable {
    var dialect: SQLDialect { get }
    /// Runs one statement with binds (`dialect.placeholder`) and returns its rows.
    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [ResultRow]
    /// Whether `copy(into:columns:_:)` streams rows into a table (PostgreSQL's `COPY … FROM STDIN`);
    /// where it does not (SQLite), loads send rows with prepared inserts.
    var copiesRows: Bool { get }
    /// `COPY table (columns) FROM STDIN` in PostgreSQL's text format, `writeData` sending the lines;
    /// `table.schema` `nil` for a temporary table. Names go into the SQL as given: checked identifiers only.
    func copy(into table: (schema: String?, name: String), columns: [String],
              _ writeData: (any CopyWriter) async throws -> Void) async throws
}

/// Sends the data of one `COPY … FROM STDIN`, a chunk of lines at a time.
public protocol CopyWriter: Sendable {
    func write(_ buffer: ByteBuffer) async throws
}

extension SQLSession {
    @discardableResult
    public func execute(_ sql: String) async throws -> [ResultRow] {
        try await execute(sql, [])
    }

    public var copiesRows: Bool { false }

    public func copy(into table: (schema: String?, name: String), columns: [String],
                     _ writeData: (any CopyWriter) async throws -> Void) async throws {
        throw IngestError("the \(dialect.rawValue) warehouse cannot COPY rows into \(table.name)", fix: "load with INSERT statements")
    }
}

/// Silver, marts and state: SQLite (embedded default) or PostgreSQL.
public protocol Warehouse: SQLSession {
    /// Where it is, for messages; never contains a password.
    var location: String { get }
    /// Makes a schema usable (CREATE SCHEMA on PostgreSQL; on SQLite, where a schema is the prefix of
    /// its tables' names in one file, makes `schema.table` names of it map to those tables).
    func ensureSchema(_ schema: String) async throws
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLSession) async throws -> T) async throws -> T
    /// The columns of an existing table, empty when the table does not exist.
    func existingColumns(schema: String, table: String) async throws -> [SchemaEvolution.ExistingColumn]
    /// Waits (saying so) until no other run of `source.dataset` holds it, at most `waitSeconds`; `holder` is the run's id.
    func lockDataset(_ name: String, holder: String, waitSeconds: Int, say: @escaping @Sendable (String) -> Void) async throws -> any DatasetLock
    func close() async
}

/// A warehouse of pooled connections (PostgreSQL): opened when statements need them, the idle ones closed
/// when a step ends; its DDL and publishes wait for locks at most `lockTimeoutSeconds` at a time.
package protocol PooledWarehouse: Warehouse {
    func closeIdleConnections() async
    /// `INGEST_LOCK_TIMEOUT_SECONDS` (`nil`: lock waits are not bounded).
    var lockTimeoutSeconds: Int? { get }
}
