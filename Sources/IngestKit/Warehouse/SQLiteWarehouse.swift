import Crypto
import Foundation
import IngestCommon
import NIOCore
import SQLiteNIO

/// The embedded default warehouse: SQLite files in one folder, through sqlite-nio.
///
/// `main.sqlite` is the connection's database; every schema (`acme_portal`,
/// `staging`, `marts`, …) is its own file attached under the schema's name, so
/// `staging.ingestion_state` reads the same as on PostgreSQL. The default
/// rollback journal keeps a transaction that spans files atomic (WAL would not).
/// SQLite attaches at most 10 files per connection: schemas are attached only
/// when a run needs them.
public final class SQLiteWarehouse: Warehouse {
    public let dialect = SQLDialect.sqlite
    public let directory: String
    private let connection: SQLiteConnection
    private let lock = AsyncLock()
    private let attached = AttachedSchemas()

    public var location: String { "sqlite at \(directory)" }

    private init(directory: String, connection: SQLiteConnection) {
        self.directory = directory
        self.connection = connection
    }

    public static func open(directory: String) async throws -> SQLiteWarehouse {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw IngestError("cannot create the SQLite warehouse folder \(directory): \(error.localizedDescription)",
                              fix: "set INGEST_HOME to a writable folder")
        }
        let path = (directory as NSString).appendingPathComponent("main.sqlite")
        let connection: SQLiteConnection = try await SQLiteConnection.open(storage: .file(path: path))
        let warehouse = SQLiteWarehouse(directory: directory, connection: connection)
        try await warehouse.execute("PRAGMA busy_timeout = 30000")
        try await connection.install(customFunction: md5Function)
        // Attach the schemas that already exist, so `schema.table` works in any query.
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files.sorted() where file.hasSuffix(".sqlite") && file != "main.sqlite" {
            let schema = String(file.dropLast(".sqlite".count))
            if Identifier.isSafe(schema) { try? await warehouse.ensureSchema(schema) }
        }
        return warehouse
    }

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [ResultRow] {
        try await lock.withLock { try await run(sql, binds) }
    }

    fileprivate func run(_ sql: String, _ binds: [SQLValue]) async throws -> [ResultRow] {
        let rows: [SQLiteRow]
        do {
            rows = try await connection.query(sql, binds.map(Self.bind))
        } catch {
            throw WarehouseError.statementFailed(sql: sql, message: String(describing: error))
        }
        return rows.map { row in
            ResultRow(columns: row.columns.map(\.name), values: row.columns.map { Self.text($0.data) })
        }
    }

    public func ensureSchema(_ schema: String) async throws {
        guard Identifier.isSafe(schema) else {
            throw IngestError("schema \"\(schema)\" is not a safe snake_case identifier", fix: "rename it to \(Identifier.suggestion(for: schema))")
        }
        try await lock.withLock {
            guard await !attached.contains(schema) else { return }
            let existing = try await run("PRAGMA database_list", [])
            if !existing.contains(where: { $0["name"] == schema }) {
                if existing.count >= 11 {
                    throw IngestError("SQLite can attach at most 10 schemas at once; \(schema) would be the 11th",
                                      fix: "run fewer sources in one process, or use PostgreSQL (WAREHOUSE_URL)")
                }
                let file = (directory as NSString).appendingPathComponent("\(schema).sqlite")
                _ = try await run("ATTACH DATABASE \(dialect.literal(file)) AS \(dialect.quote(schema))", [])
            }
            await attached.insert(schema)
        }
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
        let rows = try await execute("PRAGMA \(dialect.quote(schema)).table_info(\(dialect.quote(table)))")
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

private actor AttachedSchemas {
    var names: Set<String> = ["main"]
    func contains(_ name: String) -> Bool { names.contains(name) }
    func insert(_ name: String) { names.insert(name) }
}
