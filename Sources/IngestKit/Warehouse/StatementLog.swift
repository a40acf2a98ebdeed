import Foundation
import IngestCommon
import Synchronization

/// A warehouse that writes every statement it runs to a file (`INGEST_SQL_LOG`),
/// binds inlined as literals, so a run's SQL can be read or replayed with `psql -f`.
package final class StatementLogWarehouse: PooledWarehouse {
    let inner: any Warehouse
    let log: StatementLog

    package init(_ inner: any Warehouse, path: String) throws {
        self.inner = inner
        self.log = try StatementLog(path: path)
    }

    public var dialect: SQLDialect { inner.dialect }
    public var location: String { inner.location }

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [ResultRow] {
        log.write(sql, binds, dialect: dialect)
        return try await inner.execute(sql, binds)
    }

    public func ensureSchema(_ schema: String) async throws {
        try await inner.ensureSchema(schema)
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLSession) async throws -> T) async throws -> T {
        let log = self.log
        return try await inner.transaction { session in
            log.write("BEGIN", [], dialect: session.dialect)
            let result = try await body(LoggedSession(inner: session, log: log))
            log.write("COMMIT", [], dialect: session.dialect)
            return result
        }
    }

    public func existingColumns(schema: String, table: String) async throws -> [SchemaEvolution.ExistingColumn] {
        try await inner.existingColumns(schema: schema, table: table)
    }

    public func lockDataset(_ name: String, holder: String, waitSeconds: Int, say: @escaping @Sendable (String) -> Void) async throws -> any DatasetLock {
        try await inner.lockDataset(name, holder: holder, waitSeconds: waitSeconds, say: say)
    }

    package func closeIdleConnections() async {
        await (inner as? any PooledWarehouse)?.closeIdleConnections()
    }

    package var lockTimeoutSeconds: Int? { (inner as? any PooledWarehouse)?.lockTimeoutSeconds }

    public func close() async {
        await inner.close()
    }
}

/// Statements of a logged transaction; a `COPY` still goes to the inner connection (its rows are not logged).
private struct LoggedSession: SQLSession {
    let inner: any SQLSession
    let log: StatementLog
    var dialect: SQLDialect { inner.dialect }
    var copiesRows: Bool { inner.copiesRows }

    func copy(into table: (schema: String?, name: String), columns: [String],
              _ writeData: (any CopyWriter) async throws -> Void) async throws {
        try await inner.copy(into: table, columns: columns, writeData)
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [ResultRow] {
        log.write(sql, binds, dialect: dialect)
        return try await inner.execute(sql, binds)
    }
}

final class StatementLog: Sendable {
    private let handle: Mutex<FileHandle>

    init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw IngestError("cannot write the SQL log \(path) (INGEST_SQL_LOG)", fix: "point INGEST_SQL_LOG at a writable file")
        }
        handle.seekToEndOfFile()
        self.handle = Mutex(handle)
    }

    func write(_ sql: String, _ binds: [SQLValue], dialect: SQLDialect) {
        let text = Redactor.shared.redact(Self.inline(sql, binds, dialect: dialect)) + ";\n"
        handle.withLock { $0.write(Data(text.utf8)) }
    }

    /// Replaces `$n` (PostgreSQL) or `?n` (SQLite) with the bind's literal, highest index first.
    static func inline(_ sql: String, _ binds: [SQLValue], dialect: SQLDialect) -> String {
        var text = sql
        for (offset, value) in binds.enumerated().reversed() {
            let literal = value.canonicalText.map(dialect.literal) ?? "NULL"
            text = text.replacingOccurrences(of: dialect.sql.placeholderPrefix + String(offset + 1), with: literal)
        }
        return text
    }
}
