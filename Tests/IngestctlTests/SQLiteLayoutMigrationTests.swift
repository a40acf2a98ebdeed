import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// A warehouse folder written by the release before the one-file layout (one attached file per
/// schema; made with `ingestctl run acme_portal.orders` and `acme_portal.customers`, see
/// Fixtures/warehouse-one-file-per-schema/README.md) is moved into `warehouse.sqlite` once,
/// saying so, with every row kept.
@Suite struct SQLiteLayoutMigrationTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/warehouse-one-file-per-schema").path

    /// Every table of the earlier files, as the sqlite3 shell prints it, by `schema.table`.
    func legacyTables(in folder: String) async throws -> [String: String] {
        var tables: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".sqlite") && file != "main.sqlite" {
            let schema = String(file.dropLast(".sqlite".count))
            let path = folder + "/" + file
            for table in try await SQLiteShell.run(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").split(separator: "\n") {
                tables["\(schema).\(table)"] = try await SQLiteShell.run(path, "SELECT * FROM \"\(table)\" ORDER BY 1, 2;")
            }
        }
        return tables
    }

    /// The rows as the sqlite3 shell prints them once a command has opened the warehouse: the
    /// ledger then has the columns added since the fixture was made, empty (or their default) for the earlier runs.
    func afterOpening(_ name: String, _ rows: String) -> String {
        guard name == "\(RunLedger.schema).\(RunLedger.table)" else { return rows }
        let empty = RunLedger.addedColumns.map { "|" + ($0.defaultValue ?? "") }.joined()
        return rows.split(separator: "\n").map { String($0) + empty + "\n" }.joined()
    }

    @Test func anEarlierWarehouseIsMovedIntoOneFileOnceWithEveryRow() async throws {
        let folder = try Ingestctl.workingDirectory("migrate")
        let warehouse = folder + "/.ingest/warehouse"
        try FileManager.default.createDirectory(atPath: folder + "/.ingest", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: warehouse)
        try? FileManager.default.removeItem(atPath: warehouse + "/README.md")
        // A migration killed half way left its partial file behind.
        try Data("half-written".utf8).write(to: URL(fileURLWithPath: warehouse + "/warehouse.sqlite.migrating"))
        let before = try await legacyTables(in: warehouse)
        // The fixture was made with 100 demo orders; a free port keeps parallel tests apart.
        let env = ["ACME_PORTAL_DEMO_ROWS": "100", "ACME_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort())]
        let orders = try #require(before["acme_portal.orders"])
        let orderCount = orders.split(separator: "\n").count
        #expect(orderCount > 0 && before["acme_portal.customers"] != nil && before["marts.fct_orders"] != nil)
        let oldRuns = try #require(before["staging.ingestion_state"]).split(separator: "\n").map { String($0.prefix { $0 != "|" }) }
        #expect(!oldRuns.isEmpty)

        // The first command that opens the warehouse migrates it and says so; nothing else changes.
        let state = try await Ingestctl.run(["state"], environment: env, in: folder)
        #expect(state.status == 0, "\(state.stderr)")
        #expect(state.stderr.contains("has one file per schema"), "\(state.stderr)")
        #expect(state.stderr.contains("moving it into one file, warehouse.sqlite, once"))
        #expect(state.stderr.contains("of 4 schemas into"), "\(state.stderr)")
        #expect(state.stderr.contains("previous-layout"))
        for run in oldRuns { #expect(state.stdout.contains(run), "the earlier run \(run) is listed") }

        let file = warehouse + "/warehouse.sqlite"
        for (name, rows) in before {
            let moved = try await SQLiteShell.run(file, "SELECT * FROM \"\(name)\" ORDER BY 1, 2;")
            #expect(moved == afterOpening(name, rows), "\(name) holds the same rows in warehouse.sqlite")
        }
        let schemaOfOrders = try await SQLiteShell.run(file, "SELECT sql FROM sqlite_master WHERE tbl_name = 'acme_portal.orders';")
        #expect(schemaOfOrders.contains("PRIMARY KEY"), "constraints are kept: \(schemaOfOrders)")
        #expect(schemaOfOrders.contains(#"CREATE INDEX "acme_portal.orders__"#), "indexes are kept: \(schemaOfOrders)")
        let left = try FileManager.default.contentsOfDirectory(atPath: warehouse).filter { $0.hasPrefix("warehouse.sqlite") || $0.hasSuffix(".sqlite") }
        #expect(left == ["warehouse.sqlite"], "\(left)")
        // The earlier files are kept, untouched.
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.fixture) where name.hasSuffix(".sqlite") {
            #expect(FileManager.default.contents(atPath: warehouse + "/previous-layout/" + name) == FileManager.default.contents(atPath: Self.fixture + "/" + name),
                    "\(name) is kept as it was")
        }

        // Once: the next run says nothing about it, finds every row unchanged and builds the marts.
        let run = try await Ingestctl.run(["run", "acme_portal.orders"], environment: env, in: folder)
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(!run.stderr.contains("file per schema"))
        // Every order is found (none inserted); the demo on another port serves other source_url values, so rows count as updated.
        #expect(run.stdout.contains("rows: \(orderCount) parsed, 0 inserted,"), "\(run.stdout)")
        let after = try await Ingestctl.run(["state", "acme_portal.orders"], environment: env, in: folder)
        let ledger = try #require(before["staging.ingestion_state"])
        let earlierOrderRuns: Int = ledger.split(separator: "\n").filter { $0.contains("|acme_portal|orders|") }.count
        let listed: Int = after.stdout.split(separator: "\n").count
        #expect(earlierOrderRuns > 0 && listed == 1 + earlierOrderRuns + 1, "a header, the earlier runs and this one: \(after.stdout)")
        let marts = try await SQLiteShell.run(file, #"SELECT count(*) FROM "marts.fct_orders";"#)
        #expect(marts == "\(orderCount)\n")
    }

    @Test func twoCommandsOpeningAnEarlierWarehouseAtOnceMigrateItOnce() async throws {
        let folder = try Ingestctl.workingDirectory("migrate-twice")
        let warehouse = folder + "/.ingest/warehouse"
        try FileManager.default.createDirectory(atPath: folder + "/.ingest", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: warehouse)
        let before = try await legacyTables(in: warehouse)
        async let first = Task.detached { try await Ingestctl.run(["state"], environment: [:], in: folder) }.value
        async let second = Task.detached { try await Ingestctl.run(["state", "acme_portal.orders"], environment: [:], in: folder) }.value
        let results = try await [first, second]
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        #expect(results.filter { $0.stderr.contains("moving it into one file") }.count == 1, "\(results.map(\.stderr))")
        for (name, rows) in before {
            #expect(try await SQLiteShell.run(warehouse + "/warehouse.sqlite", "SELECT * FROM \"\(name)\" ORDER BY 1, 2;") == afterOpening(name, rows), "\(name)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: warehouse + "/previous-layout").sorted()
            == FileManager.default.contentsOfDirectory(atPath: Self.fixture).filter { $0.hasSuffix(".sqlite") }.sorted())
    }
}
