import Foundation
import IngestCommon
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// The production warehouse: PostgreSQL through PostgresNIO.
///
/// Holds a few connections (one per model thread); each runs one statement or
/// transaction at a time. Values are bound as text with explicit casts
/// (`$1::numeric`), so the canonical text of a value is exactly what is stored.
public final class PostgresWarehouse: Warehouse {
    public let dialect = SQLDialect.postgres
    public let url: WarehouseConfiguration.PostgresURL
    private let pool: Pool<PostgresConnection>
    private let logger: Logger

    public var location: String { "postgres at \(url.display)" }

    private init(url: WarehouseConfiguration.PostgresURL, connections: [PostgresConnection], logger: Logger) {
        self.url = url
        self.pool = Pool(connections)
        self.logger = logger
    }

    /// Connects `connections` sessions; a failure names WAREHOUSE_URL and never shows the password.
    public static func connect(_ url: WarehouseConfiguration.PostgresURL, connections: Int = 1) async throws -> PostgresWarehouse {
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: .disable)
        if url.requireTLS {
            configuration.tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        configuration.options.connectTimeout = .seconds(10)
        let logger = Logger(label: "ingestkit.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        var opened: [PostgresConnection] = []
        do {
            for id in 0..<max(1, connections) {
                opened.append(try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger))
            }
        } catch {
            for connection in opened { try? await connection.close() }
            throw Self.connectError(error, url: url)
        }
        return PostgresWarehouse(url: url, connections: opened, logger: logger)
    }

    static func connectError(_ error: any Error, url: WarehouseConfiguration.PostgresURL) -> IngestError {
        var reason = "connection failed"
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                reason = message
            } else if let underlying = psql.underlying {
                reason = String(describing: underlying)
            } else {
                reason = psql.code.description
            }
        }
        return IngestError(Redactor.shared.redact("cannot connect to PostgreSQL at \(url.display) (WAREHOUSE_URL): \(reason)"),
                           fix: "check that the server is running and that WAREHOUSE_URL has the right host, port, user, password and database")
    }

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [ResultRow] {
        try await pool.with { connection in
            try await Self.run(sql, binds, on: connection, logger: logger)
        }
    }

    static func run(_ sql: String, _ binds: [SQLValue], on connection: PostgresConnection, logger: Logger) async throws -> [ResultRow] {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            if let text = value.canonicalText { bindings.append(text) } else { bindings.appendNull() }
        }
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            var result: [ResultRow] = []
            for try await row in rows {
                var columns: [String] = []
                var values: [String?] = []
                for cell in row {
                    columns.append(cell.columnName)
                    values.append(try PostgresText.text(of: cell))
                }
                result.append(ResultRow(columns: columns, values: values))
            }
            return result
        } catch let error as PSQLError {
            throw WarehouseError(sql: sql, postgres: error)
        }
    }

    public func ensureSchema(_ schema: String) async throws {
        guard Identifier.isSafe(schema) else {
            throw IngestError("schema \"\(schema)\" is not a safe snake_case identifier", fix: "rename it to \(Identifier.suggestion(for: schema))")
        }
        do {
            try await execute("CREATE SCHEMA IF NOT EXISTS \(dialect.quote(schema))")
        } catch let error as WarehouseError where error.sqlState == .uniqueViolation || error.sqlState == .duplicateSchema {
            // Another run created it at the same moment.
        }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLSession) async throws -> T) async throws -> T {
        try await pool.with { connection in
            let session = PostgresTransaction(connection: connection, logger: logger)
            _ = try await Self.run("BEGIN", [], on: connection, logger: logger)
            do {
                let result = try await body(session)
                _ = try await Self.run("COMMIT", [], on: connection, logger: logger)
                return result
            } catch {
                _ = try? await Self.run("ROLLBACK", [], on: connection, logger: logger)
                throw error
            }
        }
    }

    public func existingColumns(schema: String, table: String) async throws -> [SchemaEvolution.ExistingColumn] {
        let rows = try await execute("""
            SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
                   (i.indrelid IS NOT NULL) AS pk
            FROM pg_attribute a
            JOIN pg_class c ON a.attrelid = c.oid
            JOIN pg_namespace n ON c.relnamespace = n.oid
            LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY(i.indkey)
            WHERE n.nspname = \(text: schema) AND c.relname = \(text: table) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """)
        return rows.map {
            SchemaEvolution.ExistingColumn(name: $0["name"] ?? "", declaredType: $0["type"] ?? "", primaryKey: $0["pk"] == "true")
        }
    }

    public func close() async {
        for connection in await pool.drain() { try? await connection.close() }
    }
}

extension WarehouseError {
    /// What PostgreSQL said, as fields; an error the server did not send (a lost connection) keeps its own words.
    init(sql: String, postgres error: PSQLError) {
        guard let info = error.serverInfo else {
            self.init(sql: sql, message: error.underlying.map { String(describing: $0) } ?? error.code.description)
            return
        }
        self.init(sql: sql, message: info[.message] ?? "server error", sqlState: info[.sqlState].map(SQLState.init(rawValue:)),
                  detail: info[.detail], hint: info[.hint])
    }
}

/// The statements of one open PostgreSQL transaction, on the connection that holds it; its `COPY`
/// runs on that connection, in the transaction.
struct PostgresTransaction: SQLSession {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [ResultRow] {
        try await PostgresWarehouse.run(sql, binds, on: connection, logger: logger)
    }

    var copiesRows: Bool { true }

    func copy(into table: (schema: String?, name: String), columns: [String],
              _ writeData: (any CopyWriter) async throws -> Void) async throws {
        // PostgresNIO writes `COPY "<table>"`: a schema-qualified name is passed as `schema"."table`.
        precondition(Identifier.isSafe(table.name) && table.schema.map(Identifier.isSafe) != false)
        let target = table.schema.map { "\($0)\".\"\(table.name)" } ?? table.name
        do {
            try await connection.copyFrom(table: target, columns: columns, logger: logger) { try await writeData($0) }
        } catch let error as PSQLError {
            let what = table.schema.map { dialect.qualified($0, table.name) } ?? table.name
            throw WarehouseError(sql: "COPY \(what) FROM STDIN", postgres: error)
        }
    }
}

extension PostgresCopyFromWriter: CopyWriter {}
