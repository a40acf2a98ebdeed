import Foundation
import IngestKit
import IngestTestSupport
import Synchronization
import Testing

/// PostgreSQL's dataset lock is a lease (`staging.dataset_leases`) taken, renewed and released in short
/// transactions, and a run holds connections only while a step sends SQL: nothing a transaction pooler
/// (PgBouncer in transaction mode) would leak to another client.
@Suite struct DatasetLeaseTests {
    /// Lines the platform said (`Platform.say`).
    final class Said: Sendable {
        let lines = Mutex<[String]>([])
        func callAsFunction(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    func leases(_ test: TestPlatform, _ dataset: String = "fixture.items") async throws -> [ResultRow] {
        try await test.withWarehouse { warehouse in
            try await warehouse.execute("""
                SELECT holder_run_id, (released_at IS NULL) AS held, lapsed, (expires_at > clock_timestamp()) AS live
                FROM staging.dataset_leases WHERE dataset = '\(dataset)' ORDER BY lease_id
                """)
        }
    }

    @Test func aRunHoldsALeaseRowWhileItRunsAndReleasesIt() async throws {
        // A lease renewed every 20 minutes: no renewal's connection is open while the test counts connections.
        let test = try await TestPlatform.make(.postgres, ["INGEST_LOCK_LEASE_SECONDS": "3600"])
        let warehouse = try await test.platform.openWarehouse()
        let lease = try await warehouse.lockDataset("fixture.items", holder: "run-a", waitSeconds: 0, say: { _ in })
        let held = try await leases(test)
        #expect(held.count == 1)
        #expect(held.first?["holder_run_id"] == "run-a" && held.first?["held"] == "true" && held.first?["live"] == "true")
        // No session state carries the lock: no advisory lock, no connection of the lease open between its transactions.
        let state = try await test.withWarehouse { probe in
            try await probe.execute("""
                SELECT (SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                        WHERE l.locktype = 'advisory' AND d.datname = current_database()) AS advisory,
                       (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) AS others
                """)
        }
        #expect(state.first?["advisory"] == "0")
        #expect(state.first?["others"] == "1", "only the warehouse's own idle connection, none for the lease")

        await lease.release()
        await warehouse.close()
        let released = try await leases(test)
        #expect(released.count == 1 && released.first?["held"] == "false" && released.first?["lapsed"] == "false")
        let run = try await test.run(ItemsDataset.make(pages: itemPages(count: 5)))
        #expect(run.status == "succeeded", "\(run.error ?? "")")
        let after = try await leases(test)
        #expect(after.count == 2 && after.allSatisfy { $0["held"] == "false" }, "the run took and released its own lease")
        #expect(after.last?["holder_run_id"] == run.runId)
    }

    @Test func aHeldLeaseIsRenewedUntilReleased() async throws {
        let test = try await TestPlatform.make(.postgres, ["INGEST_LOCK_LEASE_SECONDS": "3"])
        let warehouse = try await test.platform.openWarehouse()
        let lease = try await warehouse.lockDataset("fixture.items", holder: "run-r", waitSeconds: 0, say: { _ in })
        let renewed: SQLStatement = """
            SELECT (renewed_at > acquired_at AND expires_at > acquired_at + interval '3 seconds' AND NOT lapsed) AS ok
            FROM staging.dataset_leases WHERE holder_run_id = 'run-r'
            """
        let deadline = ContinuousClock.now + .seconds(120)
        var seen = false
        while !seen && ContinuousClock.now < deadline {
            seen = try await warehouse.execute(renewed).first?["ok"] == "true"
            if !seen { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(seen, "the holder pushed its lease's expiry on")
        await lease.release()
        await warehouse.close()
        let after = try await leases(test)
        #expect(after.count == 1 && after.first?["held"] == "false" && after.first?["lapsed"] == "false")
    }

    @Test func aHolderWhoseLeaseLapsedStopsBeforeItsNextStep() async throws {
        let said = Said()
        let test = try await TestPlatform.make(.postgres, ["INGEST_LOCK_LEASE_SECONDS": "3"])
        let warehouse = try await test.platform.openWarehouse()
        let lease = try #require(try await warehouse.lockDataset("fixture.items", holder: "run-l", waitSeconds: 0, say: { said($0) }) as? any LosableLock)
        // What a holder stopped past its lease finds: another run lapsed it and took over.
        try await warehouse.execute("UPDATE staging.dataset_leases SET released_at = clock_timestamp(), lapsed = true WHERE holder_run_id = 'run-l'")
        let deadline = ContinuousClock.now + .seconds(120)
        var stopped: (any Error)?
        while stopped == nil && ContinuousClock.now < deadline {
            do { try lease.ensureHeld(before: "load") } catch { stopped = error }
            if stopped == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        await lease.release()
        await warehouse.close()
        let message = (stopped as? IngestError)?.message ?? ""
        #expect(message.hasPrefix("the lease on fixture.items lapsed while this run held it"), "\(message)")
        #expect(message.hasSuffix("this run stops before its load step"))
        #expect(said.all.contains { $0.hasPrefix("the lease on fixture.items lapsed before this run renewed it") }, "\(said.all)")
    }

    @Test func runsOfOneDatasetNeverHoldItsLeaseAtTheSameTime() async throws {
        let test = try await TestPlatform.make(.postgres, ["INGEST_LOCK_WAIT_SECONDS": "600"])
        // The tables exist first, so every run reaches the lease.
        _ = try await test.run(ItemsDataset.make(pages: itemPages(count: 5)))
        let reports = try await withThrowingTaskGroup(of: RunReport.self) { group in
            for index in 0..<6 {
                group.addTask { try await test.run(ItemsDataset.make(pages: itemPages(count: 200 + index, pageSize: 20))) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for report in reports { #expect(report.status == "succeeded", "\(report.error ?? "")") }
        let overlaps = try await test.withWarehouse { warehouse in
            try await warehouse.execute("""
                SELECT count(*) AS n FROM staging.dataset_leases a JOIN staging.dataset_leases b
                  ON a.dataset = b.dataset AND a.lease_id < b.lease_id
                 AND a.acquired_at < b.released_at AND b.acquired_at < a.released_at
                """)
        }
        #expect(overlaps.first?["n"] == "0", "no two leases of fixture.items overlap in time")
        let held = try await leases(test)
        #expect(held.count == 7 && held.allSatisfy { $0["held"] == "false" && $0["lapsed"] == "false" })
        #expect(Set(held.compactMap { $0["holder_run_id"] }).isSuperset(of: reports.map(\.runId)))
    }

    @Test func aKilledHoldersLeaseIsTakenOverOnceItExpires() async throws {
        let said = Said()
        var test = try await TestPlatform.make(.postgres, ["INGEST_LOCK_WAIT_SECONDS": "600", "INGEST_LOCK_LEASE_SECONDS": "3"])
        test.platform.say = { said($0) }
        _ = try await test.run(ItemsDataset.make(pages: itemPages(count: 5)))
        // What a process killed right after renewing its lease leaves behind: a row no one will release. (Whether the
        // next run waits for it depends on how long its own preflight takes; either way it takes the lease after it expired.)
        try await test.withWarehouse { warehouse in
            try await warehouse.execute("""
                INSERT INTO staging.dataset_leases (dataset, holder_run_id, acquired_at, renewed_at, expires_at)
                VALUES ('fixture.items', 'killed-run', clock_timestamp(), clock_timestamp(), clock_timestamp() + interval '3 seconds')
                """)
        }
        let next = try await test.run(ItemsDataset.make(pages: itemPages(count: 6)))
        #expect(next.status == "succeeded", "\(next.error ?? "")")
        #expect(said.all.contains { $0.contains("took over the lease on fixture.items of run killed-run") }, "\(said.all)")
        let rows = try await test.withWarehouse { warehouse in
            try await warehouse.execute("""
                SELECT k.lapsed, k.released_at = k.expires_at AS at_expiry, n.acquired_at >= k.expires_at AS after
                FROM staging.dataset_leases k JOIN staging.dataset_leases n ON n.holder_run_id = '\(next.runId)'
                WHERE k.holder_run_id = 'killed-run'
                """)
        }
        #expect(rows.first?["lapsed"] == "true" && rows.first?["at_expiry"] == "true", "the killed run's lease lapsed when it expired")
        #expect(rows.first?["after"] == "true", "the next run took it only after it expired")
    }

    @Test func aRunRefusedForTheConnectionLimitFailsToStartAndSaysWhatToDo() async throws {
        let test = try await TestPlatform.make(.postgres, ["INGEST_PG_CONNECT_WAIT_SECONDS": "1"])
        // A role allowed one connection, held by someone else: the server answers 53300 as at max_connections.
        let role = try await test.connectionLimitedRole(1)
        var settings = test.settings.values
        settings["WAREHOUSE_URL"] = role.url
        let platform = try Platform(settings: Settings(values: settings))
        let other = try await platform.openWarehouse()
        let report = try await platform.run("fixture.items", in: SourceRegistry([FixtureSource()]))
        await other.close()
        try await role.drop()
        #expect(report.status == "failed")
        #expect(report.steps.isEmpty, "no step ran: \(report.steps)")
        let error = report.error ?? ""
        #expect(error.hasPrefix("failed to start: "), "\(error)")
        #expect(error.contains("refused new connections for 1 s: its connection limit (max_connections) was reached"), "\(error)")
        #expect(error.contains("PgBouncer") && error.contains("fewer tasks") && error.contains("INGEST_MODEL_THREADS"), "\(error)")
        #expect(!error.contains("limited-pw"))
        let json = String(decoding: try report.json(), as: UTF8.self)
        #expect(json.contains("failed to start"))

        // The next process that reaches the ledger records the run that could not.
        let next = try await test.run(ItemsDataset.make(pages: itemPages(count: 5)))
        #expect(next.status == "succeeded", "\(next.error ?? "")")
        let recorded = try #require(try await test.withWarehouse { try await RunLedger($0.dialect).record(runId: report.runId, in: $0) })
        #expect(recorded.status == .failed)
        #expect(recorded.error?.hasPrefix("failed to start: ") == true, "\(recorded.error ?? "")")
        #expect(!FileManager.default.fileExists(atPath: test.home + "/unstarted-runs/\(report.runId).json"))
    }

    /// Counts the warehouse connections of the database other than the probe's own, while the extract runs.
    struct ProbingExtractor: Extractor {
        let url: String
        let seen: Said

        func extract(_ context: ExtractionContext, into sink: ArtifactSink) async throws {
            let probe = try await PostgresWarehouse.connect(try WarehouseConfiguration.parsePostgres(url))
            let others = try await probe.execute("""
                SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                """).first?["n"] ?? "?"
            await probe.close()
            seen(others)
            try await sink.store(RawArtifact(artifactId: "page_1", bytes: Data(itemPages(count: 5)[0].utf8), url: "https://example.test/items",
                                             contentType: "application/json", extractionMethod: .apiJSON))
        }
    }

    @Test func theExtractHoldsNoWarehouseConnection() async throws {
        // A lease renewed every 20 minutes: no renewal's connection is open while the extract counts connections.
        let test = try await TestPlatform.make(.postgres, ["INGEST_LOCK_LEASE_SECONDS": "3600"])
        let seen = Said()
        let url = try #require(test.settings["WAREHOUSE_URL"])
        let dataset = Dataset(table: ItemsTable.self, extractor: ProbingExtractor(url: url, seen: seen), parse: .parser(ItemsParser()),
                              watermark: .latest(\.day))
        let report = try await test.platform.withWarehouse(connections: 4, lazily: true) { warehouse in
            await Pipeline(platform: test.platform, warehouse: warehouse).run(dataset)
        }
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(seen.all == ["0"], "no connection of the run was open while it talked to the source: \(seen.all)")
    }
}
