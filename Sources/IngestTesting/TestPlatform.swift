import Foundation
import IngestKit

/// The two warehouses a test runs a dataset on: `@Test(arguments: WarehouseKind.allCases)`.
public enum WarehouseKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres
    public var description: String { rawValue }
}

/// A fresh platform for one test: its own INGEST_HOME folder (bronze and the SQLite warehouse in a new
/// temporary folder), and on PostgreSQL its own new database on the server of `INGEST_TEST_POSTGRES_URL`,
/// so tests run in parallel without seeing each other's tables.
///
/// ```swift
/// let test = try await TestPlatform.make(kind, ["MY_SOURCE_BASE_URL": api.baseURL])
/// let report = try await test.platform.run("my_source.orders", in: SourceRegistry([MySourceSource()]))
/// #expect(report.status == "succeeded")
/// #expect(try await test.count(of: "marts.fct_orders") == 3)
/// ```
public struct TestPlatform: Sendable {
    public var kind: WarehouseKind
    public var home: String
    public var settings: Settings
    public var platform: Platform

    public init(kind: WarehouseKind, home: String, settings: Settings, platform: Platform) {
        self.kind = kind
        self.home = home
        self.settings = settings
        self.platform = platform
    }

    /// `INGEST_TEST_POSTGRES_URL` (e.g. `postgres://user:pw@127.0.0.1:5432/postgres`, a user that may create
    /// databases) is set by scripts/test.sh; PostgreSQL tests fail (never skip) without it.
    public static func postgresBaseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["INGEST_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw IngestError("INGEST_TEST_POSTGRES_URL is not set, so the PostgreSQL case has no server",
                              fix: "run one source's tests with scripts/test-source.sh <Name> (or the whole suite with scripts/test.sh): both start a "
                                  + "private PostgreSQL on loopback; or set INGEST_TEST_POSTGRES_URL to a server where the user may create databases")
        }
        return url
    }

    /// A fresh platform on `kind` with `extra` settings (the source's variables; they win over the defaults).
    /// - Throws: when `kind` is `.postgres` and `INGEST_TEST_POSTGRES_URL` is unset or its server refuses `CREATE DATABASE`.
    public static func make(_ kind: WarehouseKind, _ extra: [String: String] = [:]) async throws -> TestPlatform {
        let home = NSTemporaryDirectory() + "ingestkit-test-\(UUID().uuidString.prefix(8))"
        var values = ["INGEST_HOME": home]
        if kind == .postgres {
            values["WAREHOUSE_URL"] = try await freshDatabase()
        }
        values.merge(extra) { _, new in new }
        let settings = Settings(values: values)
        return TestPlatform(kind: kind, home: home, settings: settings, platform: try Platform(settings: settings))
    }

    /// Creates an empty database on the test server and returns its URL.
    public static func freshDatabase() async throws -> String {
        try await PostgresWarehouse.createScratchDatabase(baseURL: try postgresBaseURL(), prefix: "t")
    }

    /// The stores of a folder that `ingestctl` ran in with `environment` (its default INGEST_HOME, `.ingest`),
    /// to look at what a command left there.
    public static func ofIngestctl(_ environment: [String: String], in folder: String) throws -> TestPlatform {
        var values = environment
        values["INGEST_HOME"] = values["INGEST_HOME"] ?? folder + "/.ingest"
        let settings = Settings(values: values)
        return TestPlatform(kind: values["WAREHOUSE_URL"] == nil ? .sqlite : .postgres, home: values["INGEST_HOME"]!, settings: settings,
                            platform: try Platform(settings: settings))
    }

    /// The same platform with more settings (e.g. a changed demo revision).
    public func with(_ extra: [String: String]) throws -> TestPlatform {
        var copy = self
        var settings = self.settings
        for (name, value) in extra { settings = settings.with(name, value) }
        copy.settings = settings
        copy.platform = try Platform(settings: settings)
        return copy
    }

    /// Opens the warehouse, runs `body`, closes it.
    public func withWarehouse<T: Sendable>(_ body: (any Warehouse) async throws -> T) async throws -> T {
        try await platform.withWarehouse(body)
    }

    /// Every file under INGEST_HOME, with its text, for "no secret anywhere" checks.
    public func allFileTexts() -> [(path: String, text: String)] {
        guard let walker = FileManager.default.enumerator(atPath: home) else { return [] }
        var out: [(String, String)] = []
        for case let path as String in walker {
            let full = (home as NSString).appendingPathComponent(path)
            if let data = FileManager.default.contents(atPath: full) {
                out.append((full, String(decoding: data, as: UTF8.self)))
            }
        }
        return out
    }
}

extension TestPlatform {
    /// Runs `dataset` through the pipeline on this platform's warehouse (opened for the run, closed after).
    public func run(_ dataset: Dataset, options: RunOptions = RunOptions()) async throws -> RunReport {
        try await withWarehouse { warehouse in
            await Pipeline(platform: platform, warehouse: warehouse).run(dataset, options: options)
        }
    }

    /// The rows of `relation` (`schema.table`, e.g. `acme_portal.orders` or `marts.fct_orders`), by the value of their `key` column.
    public func rows(of relation: String, by key: String) async throws -> [String: ResultRow] {
        let rows = try await withWarehouse { try await $0.execute("SELECT * FROM \(relation)") }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[key] ?? "", $0) })
    }

    /// The number of rows in `relation` (`schema.table`).
    public func count(of relation: String) async throws -> Int {
        let rows = try await withWarehouse { try await $0.execute("SELECT count(*) AS n FROM \(relation)") }
        return Int(rows.first?["n"] ?? "") ?? 0
    }
}
