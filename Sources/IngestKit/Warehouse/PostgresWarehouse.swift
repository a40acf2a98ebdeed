import Foundation
import IngestCommon
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// The production warehouse: PostgreSQL through PostgresNIO.
///
/// Opens a connection when a statement needs one, up to one per model thread (`INGEST_PG_MAX_CONNECTIONS`
/// caps it), and closes idle ones when a step ends (`closeIdleConnections`); each connection runs one
/// statement or transaction at a time. No session state outlives a transaction (`SET LOCAL`, transaction-level
/// locks), so it works through PgBouncer in transaction mode. Values are bound as text with explicit casts
/// (`$1::numeric`), so the canonical text of a value is exactly what is stored.
public final class PostgresWarehouse: Warehouse, PooledWarehouse {
    public let dialect = SQLDialect.postgres
    public let url: WarehouseConfiguration.PostgresURL
    package let budget: PostgresBudget
    private let pool: Pool<PostgresConnection>
    private let logger: Logger

    public var location: String { "postgres at \(url.display)" }

    private init(url: WarehouseConfiguration.PostgresURL, connections: Int, budget: PostgresBudget, logger: Logger) {
        self.url = url
        self.budget = budget
        self.logger = logger
        self.pool = Pool(capacity: connections,
                         shareWait: .seconds(budget.connectWaitSeconds),
                         make: { patient in try await Self.openConnection(url, budget: budget, patient: patient, logger: logger) },
                         destroy: { try? await $0.close() })
    }

    /// Connects (one session now, up to `connections` when needed); a failure names WAREHOUSE_URL and never shows the password.
    public static func connect(_ url: WarehouseConfiguration.PostgresURL, connections: Int = 1) async throws -> PostgresWarehouse {
        try await connect(url, connections: connections, budget: PostgresBudget())
    }

    package static func connect(_ url: WarehouseConfiguration.PostgresURL, connections: Int, budget: PostgresBudget) async throws -> PostgresWarehouse {
        let warehouse = lazy(url, connections: connections, budget: budget)
        do {
            _ = try await warehouse.execute("SELECT 1 AS ok")
        } catch {
            await warehouse.close()
            throw error
        }
        return warehouse
    }

    /// A warehouse that has not connected yet: its first statement opens the first connection.
    package static func lazy(_ url: WarehouseConfiguration.PostgresURL, connections: Int, budget: PostgresBudget) -> PostgresWarehouse {
        PostgresWarehouse(url: url, connections: budget.maxConnections.map { min(connections, $0) } ?? connections, budget: budget,
                          logger: Logger(label: "ingestkit.postgres", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Closes the connections no statement is using (a step ended); the next statement opens one again.
    package func closeIdleConnections() async { await pool.closeIdle() }

    package var lockTimeoutSeconds: Int? { budget.lockTimeoutSeconds }

    /// One session, retried with backoff while the server refuses for its connection limit (53300) or is
    /// starting up (57P03), for `budget.connectWaitSeconds`. Not `patient` (the process holds other sessions
    /// it can share): the first refusal for the connection limit throws `Pool.ServerFull` at once.
    static func openConnection(_ url: WarehouseConfiguration.PostgresURL, budget: PostgresBudget, patient: Bool = true,
                               logger: Logger) async throws -> PostgresConnection {
        let configuration = try connectionConfiguration(url)
        let retry = RetryPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(3))
        let deadline = ContinuousClock.now + .seconds(budget.connectWaitSeconds)
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await PostgresConnection.connect(configuration: configuration, id: attempt, logger: logger)
            } catch let error as PSQLError where ["53300", "57P03"].contains(error.serverInfo?[.sqlState]) {
                if !patient && error.serverInfo?[.sqlState] == "53300" {
                    throw Pool<PostgresConnection>.ServerFull(error: WarehouseUnreachable(connectionLimitError(error, url: url, waited: budget.connectWaitSeconds)))
                }
                let delay = retry.delay(after: attempt, retryAfter: nil)
                guard ContinuousClock.now + delay < deadline else {
                    throw WarehouseUnreachable(connectionLimitError(error, url: url, waited: budget.connectWaitSeconds))
                }
                try await Task.sleep(for: delay)
            } catch {
                throw WarehouseUnreachable(connectError(error, url: url))
            }
        }
    }

    /// How a session connects: TLS when the URL asks for it, a 10 s connect timeout, and `application_name`
    /// `ingestkit <pid>` (in pg_stat_activity: which process holds which connections).
    static func connectionConfiguration(_ url: WarehouseConfiguration.PostgresURL) throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: .disable)
        if url.requireTLS {
            configuration.tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = [("application_name", "ingestkit \(ProcessInfo.processInfo.processIdentifier)")]
        return configuration
    }

    static func connectionLimitError(_ error: PSQLError, url: WarehouseConfiguration.PostgresURL, waited: Int) -> IngestError {
        let said = error.serverInfo?[.message].map { " (\($0))" } ?? ""
        let reason = error.serverInfo?[.sqlState] == "57P03"
            ? "was still starting up after \(waited) s\(said)"
            : "refused new connections for \(waited) s: its connection limit (max_connections) was reached\(said)"
        return IngestError(Redactor.shared.redact("PostgreSQL at \(url.display) (WAREHOUSE_URL) \(reason)"),
                           fix: "put a pooler such as PgBouncer (transaction mode) between the tasks and the server, run fewer tasks at once, "
                               + "lower INGEST_MODEL_THREADS or INGEST_PG_MAX_CONNECTIONS, or wait longer with INGEST_PG_CONNECT_WAIT_SECONDS")
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
        try await Self.existingColumns(schema: schema, table: table, in: self)
    }

    static func existingColumns(schema: String, table: String, in session: any SQLSession) async throws -> [SchemaEvolution.ExistingColumn] {
        let rows = try await session.execute("""
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

    public func close() async { await pool.closeIdle() }
}

/// Connecting to the warehouse failed (the error says why and what to do): a run that meets it before its
/// ledger row exists failed to start, and is kept for the next process to record (`UnstartedRuns`).
package struct WarehouseUnreachable: Error, CustomStringConvertible {
    package let error: IngestError
    package init(_ error: IngestError) { self.error = error }
    package var description: String { error.description }
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
