import Crypto
import Foundation
import IngestCommon
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization

/// The embedded default warehouse: one SQLite file, `warehouse.sqlite`, in one folder, through sqlite-nio.
///
/// Every schema (`acme_portal`, `staging`, `marts`, …) lives in that one file:
/// the relation `acme_portal.orders` is the table `"acme_portal.orders"` (see
/// `SQLiteRelationNames`), so any number of sources fits, a transaction is a
/// plain SQLite transaction, and SQL written for PostgreSQL's `schema.table`
/// runs unchanged. A folder in the earlier layout (one attached file per
/// schema, which stopped at 10 schemas) is moved into this one once, when it
/// is opened (see `SQLiteLayoutMigration`).
public final class SQLiteWarehouse: Warehouse {
    public let dialect = SQLDialect.sqlite
    public let directory: String
    /// The database file, `<directory>/warehouse.sqlite`.
    public var file: String { Self.file(in: directory) }
    private let connection: SQLiteConnection
    /// The connection's own thread: SQLite's busy handler sleeps on the thread running the statement, so a
    /// connection waiting for another's write lock must not hold a thread of a shared pool that the other one
    /// needs to commit (runs at once in one process, each with its own connection to the file, timed out so).
    private let thread: NIOThreadPool
    private let lock = AsyncLock()
    private let schemas = Mutex(KnownSchemas())

    public var location: String { "sqlite at \(directory)" }

    public static let fileName = "warehouse.sqlite"

    static func file(in directory: String) -> String {
        (directory as NSString).appendingPathComponent(fileName)
    }

    private init(directory: String, connection: SQLiteConnection, thread: NIOThreadPool) {
        self.directory = directory
        self.connection = connection
        self.thread = thread
    }

    deinit {
        thread.shutdownGracefully { _ in }
    }

    /// Opens (creating when absent) the warehouse in `directory`; a folder in the earlier
    /// one-file-per-schema layout is migrated first, and `say` tells the user so.
    public static func open(directory: String, say: @escaping @Sendable (String) -> Void = { _ in }) async throws -> SQLiteWarehouse {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw IngestError("cannot create the SQLite warehouse folder \(directory): \(error.localizedDescription)",
                              fix: "set INGEST_HOME to a writable folder")
        }
        try await SQLiteLayoutMigration(directory: directory).runIfNeeded(say: say)
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: file(in: directory)), threadPool: thread,
                                                         on: MultiThreadedEventLoopGroup.singleton.next())
        } catch {
            try? await thread.shutdownGracefully()
            throw error
        }
        let warehouse = SQLiteWarehouse(directory: directory, connection: connection, thread: thread)
        do {
            try await warehouse.execute("PRAGMA busy_timeout = 30000")
            try await connection.install(customFunction: md5Function)
            _ = try await warehouse.refreshSchemas()
        } catch {
            await warehouse.close()
            throw error
        }
        return warehouse
    }

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [ResultRow] {
        try await lock.withLock { try await run(sql, binds) }
    }

    /// Runs one statement; the caller holds `lock`. Errors show the SQL as written (`schema.table`).
    fileprivate func run(_ sql: String, _ binds: [SQLValue]) async throws -> [ResultRow] {
        let rows: [SQLiteRow]
        do {
            rows = try await connection.query(try await mapped(sql), binds.map(Self.bind))
        } catch let error as WarehouseError {
            throw error
        } catch {
            throw WarehouseError(sql: sql, message: String(describing: error))
        }
        return rows.map { row in
            ResultRow(columns: row.columns.map(\.name), values: row.columns.map { Self.text($0.data) })
        }
    }

    /// `sql` with `schema.table` names mapped to this file's tables.
    private func mapped(_ sql: String) async throws -> String {
        let known = schemas.withLock { $0.names }
        let first = SQLiteRelationNames.map(sql, schemas: known)
        // A qualifier that is no known schema may be one another connection created since.
        guard first.sawUnknownQualifier, try await refreshSchemas() else { return first.sql }
        return SQLiteRelationNames.map(sql, schemas: schemas.withLock { $0.names }).sql
    }

    /// Reads the schemas in the file when its catalog changed; whether it did.
    private func refreshSchemas() async throws -> Bool {
        let version = try await query("PRAGMA schema_version").first?["schema_version"] ?? nil
        if let version, version == schemas.withLock({ $0.catalogVersion }) { return false }
        let found = try await query("SELECT DISTINCT substr(name, 1, instr(name, '.') - 1) AS schema FROM sqlite_master WHERE instr(name, '.') > 1")
            .compactMap { $0["schema"] ?? nil }
        schemas.withLock {
            $0.names.formUnion(found)
            $0.catalogVersion = version
        }
        return true
    }

    private func query(_ sql: String) async throws -> [ResultRow] {
        do {
            return try await connection.query(sql, []).map { row in
                ResultRow(columns: row.columns.map(\.name), values: row.columns.map { Self.text($0.data) })
            }
        } catch {
            throw WarehouseError(sql: sql, message: String(describing: error))
        }
    }

    /// Makes `schema.table` names of `schema` map to this file's tables (nothing is created:
    /// a schema is the prefix of its tables' names).
    public func ensureSchema(_ schema: String) async throws {
        guard Identifier.isSafe(schema) else {
            throw IngestError("schema \"\(schema)\" is not a safe snake_case identifier", fix: "rename it to \(Identifier.suggestion(for: schema))")
        }
        guard schema != "main" && schema != "temp" else {
            throw IngestError("schema \"\(schema)\" is a name SQLite reserves", fix: "rename the source or layer, e.g. to \(schema)_data")
        }
        schemas.withLock { _ = $0.names.insert(schema) }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLSession) async throws -> T) async throws -> T {
        try await lock.withLock {
            _ = try await run("BEGIN IMMEDIATE", [])
            do {
                let result = try await body(SQLiteTransaction(warehouse: self))
                _ = try await run("COMMIT", [])
                return result
            } catch {
                _ = try? await run("ROLLBACK", [])
                throw error
            }
        }
    }

    public func existingColumns(schema: String, table: String) async throws -> [SchemaEvolution.ExistingColumn] {
        let rows = try await execute("SELECT name, type, pk FROM pragma_table_info(\(text: SQLiteRelationNames.tableName(schema: schema, name: table)))")
        return rows.map {
            SchemaEvolution.ExistingColumn(name: $0["name"] ?? "", declaredType: $0["type"] ?? "", primaryKey: ($0["pk"] ?? "0") != "0")
        }
    }

    public func close() async {
        try? await connection.close()
    }

    /// PostgreSQL's `md5(text)`, so hashed surrogate keys are identical on both warehouses.
    static let md5Function = SQLiteCustomFunction("md5", argumentCount: 1, pure: true) { arguments in
        guard let text = arguments.first.flatMap({ $0.isNull ? nil : text($0) }) else { return nil as String? }
        return Checksum.hex(Insecure.MD5.hash(data: Array(text.utf8)))
    }

    static func bind(_ value: SQLValue) -> SQLiteData {
        switch value {
        case .null: return .null
        case .integer(let i): return .integer(Int(i))
        case .boolean(let b): return .integer(b ? 1 : 0)
        default: return .text(value.canonicalText ?? "")
        }
    }

    static func text(_ data: SQLiteData) -> String? {
        switch data {
        case .null: return nil
        case .integer(let i): return String(i)
        case .float(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .text(let s): return s
        case .blob(let buffer): return Checksum.hex(buffer.readableBytesView)
        }
    }
}

/// The statements of one open SQLite transaction (the warehouse lock is already held).
private struct SQLiteTransaction: SQLSession {
    let warehouse: SQLiteWarehouse
    var dialect: SQLDialect { .sqlite }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [ResultRow] {
        try await warehouse.run(sql, binds)
    }
}

/// The schemas whose `schema.table` names are mapped: ensured ones, and those found in the file
/// (as of the catalog's `schema_version`).
private struct KnownSchemas {
    var names: Set<String> = []
    var catalogVersion: String?
}
