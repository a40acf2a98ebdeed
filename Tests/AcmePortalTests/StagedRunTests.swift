@testable import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// A run whose steps run one at a time under one `--run-id`, each call opening its own
/// stores as a separate process would: they hand over through bronze and the ledger only.
@Suite struct StagedRunTests {
    static let token = "acme-staged-token-7d1e"
    let registry = SourceRegistry([AcmePortalSource()])

    func step(_ test: TestPlatform, _ steps: Set<RunStep>, runId: String, window: ExtractionWindow? = nil) async throws -> RunReport {
        try await test.platform.run("acme_portal.orders", in: registry, options: RunOptions(steps: steps, runId: runId, window: window))
    }

    func ledger(_ test: TestPlatform) async throws -> [RunRecord] {
        try await test.withWarehouse { try await RunLedger($0.dialect).recent(source: "acme_portal", dataset: "orders", in: $0) }
    }

    func count(_ test: TestPlatform, _ table: String) async throws -> String? {
        try await test.withWarehouse { try await $0.execute("SELECT count(*) AS n FROM \(table)").first?["n"] ?? nil }
    }

    @Test(arguments: WarehouseKind.allCases)
    func stepsOfOneRunFillInOneLedgerRow(_ kind: WarehouseKind) async throws {
        let server = try await AcmeDemoAPI(orders: 250, token: Self.token).start()
        let test = try await TestPlatform.make(kind, ["ACME_PORTAL_BASE_URL": server.baseURL, "ACME_PORTAL_API_TOKEN": Self.token])
        let runId = "manual__2026-11-30T10-00-00-0a1b2c3d"

        let preflight = try await step(test, [], runId: runId)
        #expect(preflight.succeeded, "\(preflight.error ?? "")")
        #expect(preflight.steps.map(\.name) == ["preflight"])
        var rows = try await ledger(test)
        #expect(rows.count == 1)
        #expect(rows.first?.runId == runId && rows.first?.status == .running)

        let extract = try await step(test, [.extract], runId: runId)
        await server.stop()
        #expect(extract.succeeded, "\(extract.error ?? "")")
        #expect(extract.summary.contains("the run continues"))
        rows = try await ledger(test)
        #expect(rows.count == 1)
        #expect(rows.first?.status == .running)
        #expect(rows.first?.counts.artifacts == 3 && rows.first?.counts.parsed == 0)
        #expect(rows.first?.steps.map(\.name) == ["preflight", "extract"])

        // The source is gone: the load reads the run's bronze through its manifest.
        let load = try await step(test, [.load], runId: runId)
        #expect(load.succeeded, "\(load.error ?? "")")
        #expect(load.counts.inserted == 250)
        let models = try await step(test, [.models], runId: runId)
        #expect(models.succeeded, "\(models.error ?? "")")
        rows = try await ledger(test)
        #expect(rows.count == 1)
        #expect(rows.first?.status == .running)
        #expect(rows.first?.counts.inserted == 250 && rows.first?.counts.artifacts == 3)
        #expect(rows.first?.models?.built == 8)

        // The gate reads what the other steps recorded.
        let gate = try await step(test, [.gate], runId: runId)
        #expect(gate.succeeded, "\(gate.error ?? "")")
        #expect(gate.gate?.passed == true)
        #expect(gate.counts.parsed == 250 && gate.counts.artifacts == 3)
        rows = try await ledger(test)
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.status == .succeeded && row.finishedAt != nil)
        #expect(row.steps.map(\.name) == ["preflight", "extract", "load", "models", "gate"])
        #expect(row.steps.allSatisfy { $0.status == "succeeded" })
        #expect(row.counts.parsed == 250 && row.counts.inserted == 250)
        #expect(try await count(test, "acme_portal.orders") == "250")
        #expect(try await count(test, "marts.fct_orders") == "250")
    }

    @Test(arguments: WarehouseKind.allCases)
    func retriedStepsReplaceBronzeAndKeepTheCounts(_ kind: WarehouseKind) async throws {
        let big = try await AcmeDemoAPI(orders: 250, token: Self.token).start()
        let test = try await TestPlatform.make(kind, ["ACME_PORTAL_BASE_URL": big.baseURL, "ACME_PORTAL_API_TOKEN": Self.token])
        let runId = "scheduled__2026-11-29T02-00-00-00-00-5e6f7a8b"
        #expect(try await step(test, [.extract], runId: runId).counts.artifacts == 3)
        await big.stop()

        // Extracted again with the same run id (the source now serves fewer pages): the run's
        // bronze is this attempt's alone, the old third page is gone, and the manifest lists two.
        let small = try await AcmeDemoAPI(orders: 150, token: Self.token).start()
        let retried = try await test.with(["ACME_PORTAL_BASE_URL": small.baseURL])
        let again = try await step(retried, [.extract], runId: runId)
        await small.stop()
        #expect(again.succeeded, "\(again.error ?? "")")
        #expect(again.counts.artifacts == 2)
        let store = try retried.platform.bronzeStore()
        let prefix = try #require(again.bronzePrefix)
        let keys = try await store.list(prefix: prefix)
        #expect(keys.count == 3, "two pages and the manifest: \(keys)")
        let bronze = try retried.platform.bronze(for: try registry.dataset("acme_portal.orders"))
        #expect(try await bronze.manifest(runId: runId).artifacts.count == 2)

        let load = try await step(retried, [.load], runId: runId)
        #expect(load.succeeded, "\(load.error ?? "")")
        #expect(load.counts.parsed == 150 && load.counts.inserted == 150)
        // A retried load gives the same silver and counts.
        let reload = try await step(retried, [.load], runId: runId)
        #expect(reload.succeeded, "\(reload.error ?? "")")
        #expect(reload.counts == load.counts)
        #expect(try await count(retried, "acme_portal.orders") == "150")

        // The gate alone re-evaluates the recorded run, as often as asked.
        for _ in 0..<2 {
            let gate = try await step(retried, [.gate], runId: runId)
            #expect(gate.succeeded, "\(gate.error ?? "")")
            #expect(gate.counts.inserted == 150)
        }
        let rows = try await ledger(retried)
        #expect(rows.count == 1)
        #expect(rows.first?.status == .succeeded)
        #expect(rows.first?.counts.inserted == 150 && rows.first?.counts.artifacts == 2)
    }

    /// Issue 20 item 5: bronze is never rewritten under committed rows. Extracting a run again after its load
    /// committed (what an Airflow "Clear" of the extract task does) is refused before anything is written: its
    /// bronze, its ledger row and silver stay, and `--from-run` still rebuilds silver from that bronze; `force`
    /// (`--force`) extracts it again.
    @Test(arguments: WarehouseKind.allCases)
    func aRunWhoseLoadCommittedIsNotExtractedAgainWithoutForce(_ kind: WarehouseKind) async throws {
        let first = try await AcmeDemoAPI(orders: 250, token: Self.token).start()
        let test = try await TestPlatform.make(kind, ["ACME_PORTAL_BASE_URL": first.baseURL, "ACME_PORTAL_API_TOKEN": Self.token])
        let runId = "scheduled__2026-12-01T02-00-00-00-00-1a2b3c4d"
        let extracted = try await step(test, [.extract], runId: runId)
        await first.stop()
        #expect(extracted.succeeded, "\(extracted.error ?? "")")
        #expect(try await step(test, [.load], runId: runId).counts.inserted == 250)
        let store = try test.platform.bronzeStore()
        let prefix = try #require(extracted.bronzePrefix)
        let keys = try await store.list(prefix: prefix)
        let recorded = try await ledger(test)

        // The source changed (150 orders now); the extract task is cleared and runs again.
        let changed = try await AcmeDemoAPI(orders: 150, token: Self.token).start()
        let retried = try await test.with(["ACME_PORTAL_BASE_URL": changed.baseURL])
        let again = try await step(retried, [.extract], runId: runId)
        #expect(!again.succeeded)
        let error = again.error ?? ""
        #expect(error.contains("run \(runId) of acme_portal.orders is already loaded: its load committed 250 rows from its bronze into silver"), "\(error)")
        #expect(error.contains("nothing was extracted or changed") && error.contains("--force extracts it again anyway"), "\(error)")
        #expect(try await store.list(prefix: prefix) == keys, "its bronze is as it was")
        #expect(try await ledger(retried) == recorded, "its ledger row is as it was")

        // Silver lost: --from-run rebuilds it from the run's bronze, which still holds every loaded row.
        _ = try await retried.withWarehouse { try await $0.execute("DELETE FROM acme_portal.orders") }
        let rebuilt = try await retried.platform.run("acme_portal.orders", in: registry, options: RunOptions(steps: [.load], fromRun: runId))
        #expect(rebuilt.succeeded, "\(rebuilt.error ?? "")")
        #expect(rebuilt.counts.inserted == 250)
        let paths = try await retried.withWarehouse { try await $0.execute("SELECT DISTINCT bronze_object_path AS p FROM acme_portal.orders") }
        #expect(paths.count == 3 && paths.allSatisfy { ($0["p"] ?? "").contains("run_id=\(runId)/") }, "\(paths)")

        // --force: extracted again, its bronze replaced.
        var forced = RunOptions(steps: [.extract], runId: runId)
        forced.force = true
        let replaced = try await retried.platform.run("acme_portal.orders", in: registry, options: forced)
        await changed.stop()
        #expect(replaced.succeeded, "\(replaced.error ?? "")")
        #expect(replaced.counts.artifacts == 2)
    }

    @Test func aLoadBeforeItsExtractFailsNamingTheStep() async throws {
        let test = try await TestPlatform.make(.sqlite)
        let load = try await step(test, [.load], runId: "r-without-bronze")
        #expect(!load.succeeded)
        #expect(load.error?.contains("has no bronze manifest") == true, "\(load.error ?? "")")
        #expect(load.error?.contains("--steps extract --run-id r-without-bronze") == true)
        let gate = try await step(test, [.gate], runId: "r-without-bronze")
        #expect(!gate.succeeded)
        #expect(gate.error?.contains("the load step of run r-without-bronze failed") == true, "\(gate.error ?? "")")
        let rows = try await ledger(test)
        #expect(rows.count == 1 && rows.first?.status == .failed)

        let other = try await test.platform.run("acme_portal.customers", in: registry, options: RunOptions(steps: [], runId: "r-without-bronze"))
        #expect(other.error?.contains("is a run of acme_portal.orders") == true, "\(other.error ?? "")")
    }

    @Test(arguments: WarehouseKind.allCases)
    func aWindowReplacesTheLookbackAndIsRecorded(_ kind: WarehouseKind) async throws {
        let api = AcmeDemoAPI(orders: 400, token: Self.token)
        let seen = ReceivedRequests()
        let server = try await LoopbackHTTPServer.start { request in
            await seen.add(request)
            return api.respond(to: request, baseURL: request.baseURL)
        }
        let test = try await TestPlatform.make(kind, ["ACME_PORTAL_BASE_URL": server.baseURL, "ACME_PORTAL_API_TOKEN": Self.token])
        let window = try #require(try ExtractionWindow.parse(start: "2025-01-06T00:00:00+00:00", end: "2025-01-13T00:00:00+00:00"))
        let report = try await test.platform.run("acme_portal.orders", in: registry, options: RunOptions(window: window))
        await server.stop()
        #expect(report.succeeded, "\(report.error ?? "")")
        let first = try #require(await seen.all.first?.query)
        #expect(first["created_from"] == "2025-01-06T00:00:00Z")
        #expect(first["created_to"] == "2025-01-13T00:00:00Z")
        let expected = (0..<400).filter { index in
            api.createdAt(index).map { $0 >= "2025-01-06" && $0 < "2025-01-13" } ?? false
        }.count
        #expect(expected > 0)
        #expect(report.counts.parsed == expected)
        let row = try #require(try await ledger(test).first)
        #expect(row.windowStart == "2025-01-06T00:00:00Z" && row.windowEnd == "2025-01-13T00:00:00Z")
        #expect(report.windowStart == "2025-01-06T00:00:00Z")

        #expect(throws: IngestError.self) { try ExtractionWindow.parse(start: "2025-01-13", end: "2025-01-06") }
        #expect(throws: IngestError.self) { try ExtractionWindow.parse(start: "2025-01-13", end: nil) }
    }

    /// A ledger made by an earlier version (no steps, window, models or from_runs columns) gains them.
    @Test(arguments: WarehouseKind.allCases)
    func anEarlierLedgerTableGainsTheNewColumns(_ kind: WarehouseKind) async throws {
        let server = try await AcmeDemoAPI(orders: 50, token: Self.token).start()
        let test = try await TestPlatform.make(kind, ["ACME_PORTAL_BASE_URL": server.baseURL, "ACME_PORTAL_API_TOKEN": Self.token])
        _ = try await test.withWarehouse { warehouse in
            try await warehouse.ensureSchema("staging")
            let dialect = warehouse.dialect
            try await warehouse.execute("""
                CREATE TABLE \(dialect.qualified("staging", "ingestion_state")) (
                    "run_id" \(dialect.typeName(.text)) PRIMARY KEY, "source" \(dialect.typeName(.text)) NOT NULL,
                    "dataset" \(dialect.typeName(.text)) NOT NULL, "status" \(dialect.typeName(.text)) NOT NULL,
                    "started_at" \(dialect.typeName(.timestamp)) NOT NULL, "finished_at" \(dialect.typeName(.timestamp)),
                    "artifacts" \(dialect.typeName(.integer)) NOT NULL DEFAULT 0, "bytes" \(dialect.typeName(.integer)) NOT NULL DEFAULT 0,
                    "rows_parsed" \(dialect.typeName(.integer)) NOT NULL DEFAULT 0, "rows_inserted" \(dialect.typeName(.integer)) NOT NULL DEFAULT 0,
                    "rows_updated" \(dialect.typeName(.integer)) NOT NULL DEFAULT 0, "rows_unchanged" \(dialect.typeName(.integer)) NOT NULL DEFAULT 0,
                    "error_message" \(dialect.typeName(.text)), "watermark" \(dialect.typeName(.text)))
                """)
            try await warehouse.execute("""
                INSERT INTO \(dialect.qualified("staging", "ingestion_state")) ("run_id", "source", "dataset", "status", "started_at")
                VALUES ('old-run', 'acme_portal', 'orders', 'succeeded', '2026-01-01 00:00:00')
                """)
        }
        let report = try await step(test, [.extract, .load, .gate], runId: "new-run")
        await server.stop()
        #expect(report.succeeded, "\(report.error ?? "")")
        let rows = try await ledger(test)
        #expect(rows.map(\.runId).sorted() == ["new-run", "old-run"])
        #expect(rows.first { $0.runId == "new-run" }?.steps.map(\.name) == ["preflight", "extract", "load", "gate"])
        #expect(rows.first { $0.runId == "old-run" }?.steps == [])
    }
}
