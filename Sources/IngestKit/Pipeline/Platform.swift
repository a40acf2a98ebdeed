import Foundation
import IngestCommon
import Logging

/// The stores and settings a run uses, chosen by configuration:
/// `INGEST_HOME` (default `.ingest` under the working directory), `WAREHOUSE_URL`
/// (unset: SQLite under `INGEST_HOME/warehouse`), bronze in `INGEST_HOME/lakehouse`
/// or, with `LAKEHOUSE_URL=s3://…`, in an S3-compatible bucket (see `S3Configuration`).
public struct Platform: Sendable {
    public var settings: Settings
    public var home: String
    public var warehouse: WarehouseConfiguration
    public var logger: Logger
    /// Where human-readable progress goes (stderr in the CLI).
    public var say: @Sendable (String) -> Void
    /// Where a run reports its progress (artifacts stored, steps finished); the CLI draws it (see `ProgressReporter`).
    public var progress: @Sendable (RunProgress) -> Void = { _ in }

    public init(settings: Settings, say: @escaping @Sendable (String) -> Void = { _ in }, logger: Logger? = nil) throws {
        self.settings = settings
        let base = settings["INGEST_HOME"] ?? ".ingest"
        self.home = base.hasPrefix("/") ? base : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(base)
        self.warehouse = try WarehouseConfiguration.from(settings, home: home)
        self.say = say
        self.logger = logger ?? Logger(label: "ingestkit")
    }

    /// Settings from the environment and `.env` in the working directory.
    public static func fromEnvironment(say: @escaping @Sendable (String) -> Void = { _ in }) throws -> Platform {
        try Platform(settings: try Settings.load(), say: say)
    }

    public var lakehouseRoot: String { (home as NSString).appendingPathComponent("lakehouse") }

    /// Opens the warehouse with up to `connections` sessions (PostgreSQL: within `INGEST_PG_MAX_CONNECTIONS`).
    public func openWarehouse(connections: Int = 1) async throws -> any Warehouse {
        try await openWarehouse(connections: connections, lazily: false)
    }

    /// `lazily`: PostgreSQL connects when the first statement runs (a run's preflight), not now.
    package func openWarehouse(connections: Int, lazily: Bool) async throws -> any Warehouse {
        let opened: any Warehouse
        switch warehouse {
        case .sqlite(let directory):
            opened = try await SQLiteWarehouse.open(directory: directory, say: say)
        case .postgres(let url):
            let budget = try PostgresBudget.from(settings)
            let sessions = budget.stepConnections(threads: connections)
            opened = lazily ? PostgresWarehouse.lazy(url, connections: sessions, budget: budget)
                            : try await PostgresWarehouse.connect(url, connections: sessions, budget: budget)
        }
        if let path = settings["INGEST_SQL_LOG"] {
            return try StatementLogWarehouse(opened, path: path)
        }
        return opened
    }

    /// Opens the warehouse, runs `body` with it and closes it (awaiting the close) on every path.
    public func withWarehouse<T: Sendable>(connections: Int = 1, _ body: (any Warehouse) async throws -> T) async throws -> T {
        try await withWarehouse(connections: connections, lazily: false, body)
    }

    package func withWarehouse<T: Sendable>(connections: Int, lazily: Bool, _ body: (any Warehouse) async throws -> T) async throws -> T {
        try await withClosing(try await openWarehouse(connections: connections, lazily: lazily), close: { await $0.close() }, body)
    }

    public func bronzeStore() throws -> any ObjectStore {
        if let lakehouse = settings["LAKEHOUSE_URL"], lakehouse.hasPrefix("s3://") {
            return S3ObjectStore(configuration: try S3Configuration.from(settings))
        }
        if let lakehouse = settings["LAKEHOUSE_URL"], !lakehouse.hasPrefix("file://") {
            throw IngestError("LAKEHOUSE_URL=\(Redactor.shared.redactURL(lakehouse)) is not supported yet",
                              fix: "use s3://<bucket>[/<prefix>] or file:///<folder>, or unset LAKEHOUSE_URL to keep bronze in \(lakehouseRoot)")
        }
        if let lakehouse = settings["LAKEHOUSE_URL"], lakehouse.hasPrefix("file://") {
            return LocalObjectStore(root: String(lakehouse.dropFirst("file://".count)))
        }
        return LocalObjectStore(root: lakehouseRoot)
    }

    public func bronze(for dataset: Dataset) throws -> Bronze {
        Bronze(store: try bronzeStore(), source: dataset.source, dataset: dataset.name)
    }
}
