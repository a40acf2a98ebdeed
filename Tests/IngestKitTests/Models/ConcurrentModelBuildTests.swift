import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Builds of the same models from several processes at once (shared marts): per-invocation shadows,
/// a locked publish that keeps a newer build, and bounded lock waits (PostgreSQL).
@Suite struct ConcurrentModelBuildTests {
    let registry = SourceRegistry([FixtureSource()])

    func loaded(_ extra: [String: String] = [:]) async throws -> TestPlatform {
        let test = try await TestPlatform.make(.postgres, extra)
        let report = try await test.platform.run("fixture.items", in: registry)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        return test
    }

    func value(_ test: TestPlatform, _ sql: String) async throws -> String? {
        try await test.withWarehouse { try await $0.execute(sql).first?.values.first ?? nil }
    }

    @Test func concurrentBuildsOfTheSameModelsAllSucceedAndLeaveNoShadow() async throws {
        let test = try await loaded()
        let results = try await withThrowingTaskGroup(of: ModelResults.self) { group in
            for _ in 0..<4 {
                // Each its own warehouse connections, as separate processes would have.
                group.addTask { try await test.platform.models(.build, in: registry, select: nil, threads: 2) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for result in results {
            #expect(result.published, "\(result.message ?? "")")
            #expect(result.results.allSatisfy { $0.status == "success" }, "\(result.results.filter { $0.status != "success" })")
        }
        #expect(try await value(test, "SELECT count(*) FROM marts.fct_items") == "60")
        let shadows = try await value(test, """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE '%\\_\\_shadow'
            """)
        #expect(shadows == "0", "every build dropped its shadows")
        #expect(try await value(test, "SELECT count(*) FROM staging.model_publishes") == "4", "one row a model")
        #expect(try await value(test, "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()") == "0")
    }

    @Test func aPublishKeepsWhatANewerBuildPublished() async throws {
        let test = try await loaded()
        let before = try await value(test, "SELECT 'marts.fct_items'::regclass::oid::text")
        // A build that started later has published every model meanwhile.
        try await test.withWarehouse { warehouse in
            try await warehouse.execute("""
                UPDATE staging.model_publishes SET built_at = clock_timestamp() + interval '1 hour', invocation_id = 'newer'
                """)
        }
        let result = try await test.platform.models(.build, in: registry, select: nil)
        #expect(result.published)
        #expect(result.message?.contains("a newer build already published stg_fixture__items, int_fixture__items_enriched, dim_item_name, fct_items") == true,
                "\(result.message ?? "")")
        #expect(try await value(test, "SELECT 'marts.fct_items'::regclass::oid::text") == before, "the newer build's fct_items stays")
        #expect(try await value(test, "SELECT count(*) FROM staging.model_publishes WHERE invocation_id = 'newer'") == "4")
        #expect(try await value(test, """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE '%\\_\\_shadow'
            """) == "0")
    }

    @Test func aPublishBlockedByAReaderGivesUpAfterTheLockTimeoutAndSaysWhy() async throws {
        let test = try await loaded(["INGEST_LOCK_TIMEOUT_SECONDS": "1"])
        let reader = try await test.platform.openWarehouse()
        let published = try await reader.transaction { session in
            // A dashboard's long transaction that read the mart: publishing must drop it, so it waits for this.
            _ = try await session.execute("SELECT count(*) AS n FROM marts.fct_items")
            return try await test.platform.models(.build, in: registry, select: nil)
        }
        await reader.close()
        #expect(!published.published)
        #expect(published.message?.contains("publish failed, nothing was changed: publishing stg_fixture__items, int_fixture__items_enriched, dim_item_name, fct_items waited 1 s for a lock 6 times") == true,
                "\(published.message ?? "")")
        #expect(published.message?.contains("INGEST_LOCK_TIMEOUT_SECONDS") == true)
        // The session state of the waits did not outlive their transactions.
        #expect(try await value(test, "SHOW lock_timeout") == "0")
        let after = try await test.platform.models(.build, in: registry, select: nil)
        #expect(after.published, "\(after.message ?? "")")
    }
}

/// Preflight reads the catalog and writes DDL only when something is missing; `ingestctl setup` does it once.
@Suite struct CatalogSetupTests {
    @Test func preflightOfAnUnchangedDatasetRunsNoDDL() async throws {
        let log = NSTemporaryDirectory() + "ingestkit-sql-\(UUID().uuidString.prefix(8)).sql"
        let test = try await TestPlatform.make(.postgres, ["INGEST_SQL_LOG": log])
        let first = try await test.run(ItemsDataset.make(pages: itemPages(count: 5)))
        #expect(first.status == "succeeded", "\(first.error ?? "")")
        let firstSQL = try String(contentsOfFile: log, encoding: .utf8)
        #expect(firstSQL.contains("CREATE TABLE IF NOT EXISTS \"fixture\".\"items\""), "the first run created the table")
        try Data().write(to: URL(fileURLWithPath: log))
        let second = try await test.run(ItemsDataset.make(pages: itemPages(count: 6)))
        #expect(second.status == "succeeded", "\(second.error ?? "")")
        let ddl = try String(contentsOfFile: log, encoding: .utf8).components(separatedBy: ";\n")
            .filter { ["CREATE ", "ALTER ", "DROP "].contains(where: $0.uppercased().contains) && !$0.contains("CREATE TEMP TABLE") }
        #expect(ddl.isEmpty, "the second run only read the catalog (its load's temporary tables aside): \(ddl)")
    }

    @Test func firstRunsOnAnEmptyWarehouseDoNotRace() async throws {
        let test = try await TestPlatform.make(.postgres, ["INGEST_LOCK_WAIT_SECONDS": "600"])
        let reports = try await withThrowingTaskGroup(of: RunReport.self) { group in
            for index in 0..<4 { group.addTask { try await test.run(ItemsDataset.make(pages: itemPages(count: 5 + index))) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for report in reports { #expect(report.status == "succeeded", "\(report.error ?? "")") }
    }

    @Test(arguments: WarehouseKind.allCases)
    func setupCreatesWhatRunsNeedOnce(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let registry = SourceRegistry([FixtureSource()])
        let first = try await test.platform.setup(["fixture.items"], all: false, in: registry)
        #expect(first.map(\.name) == (kind == .postgres
            ? ["staging.ingestion_state", "staging.dataset_leases", "staging.model_publishes", "fixture.items"]
            : ["staging.ingestion_state", "fixture.items"]))
        let tables = try await test.withWarehouse { warehouse in
            (try await warehouse.existingColumns(schema: "fixture", table: "items").count,
             try await warehouse.existingColumns(schema: "fixture", table: "items__rejects").count)
        }
        #expect(tables.0 > 0 && tables.1 > 0, "the silver and rejects tables exist")
        if kind == .postgres {
            #expect(first.allSatisfy { $0.statements > 0 }, "\(first)")
            let again = try await test.platform.setup([], all: true, in: registry)
            #expect(again.allSatisfy { $0.statements == 0 }, "nothing left to create: \(again)")
        }
        let report = try await test.platform.run("fixture.items", in: registry)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
    }
}
