@testable import AcmePortal
import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// Bounded growth: the runs by status that metrics read are kept as runs finish (`staging.ingestion_totals`),
/// equal to what the ledger holds, and `prune` deletes old ledger rows, rejects and bronze partitions — a dry
/// run first — while the next run still finds its watermark and the totals keep counting.
@Suite struct PruneAndTotalsTests {
    static let token = "acme-prune-token-5be0"
    let registry = SourceRegistry([AcmePortalSource()])

    /// Runs by status and the latest success, as a `GROUP BY` of the ledger computes them.
    func grouped(_ test: TestPlatform) async throws -> ([String: Int], String?) {
        try await test.withWarehouse { warehouse in
            let rows = try await warehouse.execute("""
                SELECT "status", COUNT(*) AS "n", MAX("finished_at") AS "last" FROM staging.ingestion_state
                WHERE "source" = 'acme_portal' AND "dataset" = 'orders' GROUP BY "status"
                """)
            var runs: [String: Int] = [:]
            var last: String?
            for row in rows {
                runs[(row["status"] ?? nil) ?? ""] = Int((row["n"] ?? nil) ?? "") ?? 0
                if row["status"] == "succeeded" { last = row["last"] ?? nil }
            }
            return (runs, last)
        }
    }

    func summary(_ test: TestPlatform) async throws -> LedgerSummary? {
        try await test.withWarehouse { try await LedgerSummary.read(in: $0) }["acme_portal.orders"]
    }

    func rejects(_ test: TestPlatform) async throws -> Int {
        try await test.withWarehouse { warehouse in
            Int((try await warehouse.execute("SELECT COUNT(*) AS n FROM acme_portal.orders__rejects").first?["n"] ?? nil) ?? "") ?? -1
        }
    }

    func releasedLeases(_ test: TestPlatform) async throws -> Int {
        try await test.withWarehouse { warehouse in
            Int((try await warehouse.execute("""
                SELECT COUNT(*) AS n FROM staging.dataset_leases WHERE dataset = 'acme_portal.orders' AND released_at IS NOT NULL
                """).first?["n"] ?? nil) ?? "") ?? -1
        }
    }

    @Test(arguments: WarehouseKind.allCases)
    func totalsFollowTheLedgerAndPruneKeepsWhatTheNextRunReads(_ kind: WarehouseKind) async throws {
        let server = try await AcmeDemoAPI(orders: 120, token: Self.token).start()
        let test = try await TestPlatform.make(kind, ["ACME_PORTAL_BASE_URL": server.baseURL, "ACME_PORTAL_API_TOKEN": Self.token])
        let first = try await test.platform.run("acme_portal.orders", in: registry)
        #expect(first.succeeded, "\(first.error ?? "")")
        // A failed run on the same stores: the API refuses a wrong token.
        let failing = try Platform(settings: Settings(values: test.settings.values.merging(["ACME_PORTAL_API_TOKEN": "wrong"]) { $1 }))
        let failed = try await failing.run("acme_portal.orders", in: registry)
        #expect(!failed.succeeded)
        let second = try await test.platform.run("acme_portal.orders", in: registry)
        #expect(second.succeeded, "\(second.error ?? "")")

        let (runs, last) = try await grouped(test)
        #expect(runs == ["succeeded": 2, "failed": 1])
        let totals = try #require(try await summary(test))
        #expect(totals.runsByStatus == runs)
        #expect(totals.lastSuccessAt == last.flatMap { LocalTimestamp(iso: $0) }?.date.timeIntervalSince1970)

        // A ledger older than the totals: they are filled from it once, the same.
        try await test.withWarehouse { try await $0.execute("DROP TABLE staging.ingestion_totals") }
        #expect(try await summary(test)?.runsByStatus == runs)

        // A dry run three days on, keeping one day: counts, deletes nothing.
        let later = Date().addingTimeInterval(3 * 86_400)
        let rejected = try await rejects(test)
        let dry = try await test.platform.prune([], in: registry, keepDays: 1, parts: Set(PrunePart.allCases), apply: false, now: later)
        let orders = try #require(dry.datasets.first { $0.dataset == "acme_portal.orders" })
        #expect(orders.ledgerRows == 2, "the first run and the failed one; the latest success stays")
        // PostgreSQL's dataset leases, one a run, all released by now; SQLite has none.
        #expect(orders.leaseRows == (kind == .postgres ? try await releasedLeases(test) : nil))
        #expect(kind == .sqlite || orders.leaseRows == 3)
        #expect(orders.rejects == rejected)
        #expect(orders.bronzePartitions == [CalendarDate(Date()).description])
        #expect((orders.bronzeRuns ?? 0) >= 2 && (orders.bronzeObjects ?? 0) > 2 && (orders.bronzeBytes ?? 0) > 0)
        #expect(try await grouped(test).0 == runs)
        #expect(try await test.platform.bronzeRuns("acme_portal.orders", in: registry).count >= 2)

        let applied = try await test.platform.prune(["acme_portal.orders"], in: registry, keepDays: 1, parts: Set(PrunePart.allCases),
                                                    apply: true, now: later)
        #expect(applied.datasets.map(\.dataset) == ["acme_portal.orders"])
        let left = try await test.withWarehouse { try await RunLedger($0.dialect).recent(source: "acme_portal", dataset: "orders", in: $0) }
        #expect(left.map(\.runId) == [second.runId])
        #expect(try await rejects(test) == 0)
        if kind == .postgres { #expect(try await releasedLeases(test) == 0) }
        #expect(try await test.platform.bronzeRuns("acme_portal.orders", in: registry).isEmpty)
        // The counters never go down: the totals still count the pruned runs.
        #expect(try await summary(test)?.runsByStatus == runs)

        // The next run still reads the kept run's watermark and loads on top of silver.
        let next = try await test.platform.run("acme_portal.orders", in: registry)
        #expect(next.succeeded, "\(next.error ?? "")")
        #expect(next.counts.inserted == 0)
        #expect(try await summary(test)?.runsByStatus == ["succeeded": 3, "failed": 1])
        await server.stop()
    }

    /// `bronze ls --since` and `replay --since` read only the partitions of their dates: a partition out of range
    /// whose manifest is unreadable does not stop them (listing every run does).
    @Test func listingSinceReadsOnlyThosePartitions() async throws {
        let server = try await AcmeDemoAPI(orders: 60, token: Self.token).start()
        let test = try await TestPlatform.make(.sqlite, ["ACME_PORTAL_BASE_URL": server.baseURL, "ACME_PORTAL_API_TOKEN": Self.token])
        let run = try await test.platform.run("acme_portal.orders", in: registry)
        await server.stop()
        #expect(run.succeeded, "\(run.error ?? "")")
        let bronze = try test.platform.bronze(for: try registry.dataset("acme_portal.orders"))
        try await bronze.store.put(key: bronze.layout.manifestKey(ingestDate: "2020-01-01", runId: "broken"), bytes: Data("not json".utf8),
                                   contentType: "application/json", metadata: [:])
        let today = CalendarDate(Date())
        await #expect(throws: (any Error).self) { try await test.platform.bronzeRuns("acme_portal.orders", in: registry) }
        let since = try await test.platform.bronzeRuns("acme_portal.orders", in: registry, since: today)
        #expect(since.map(\.runId) == [run.runId])
        let replayed = try await test.platform.replay("acme_portal.orders", in: registry, selection: .ingestDates(since: today, until: nil))
        #expect(replayed.succeeded, "\(replayed.error ?? "")")
        #expect(replayed.fromRuns == [run.runId])
    }
}
