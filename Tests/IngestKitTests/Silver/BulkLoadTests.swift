import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// The staged load (COPY on PostgreSQL, prepared inserts on SQLite): duplicates across
/// artifacts, escaping, the dataset lock and the ledger, on both warehouses.
@Suite struct BulkLoadTests {
    func run(_ test: TestPlatform, _ pages: [String], options: RunOptions = RunOptions()) async throws -> RunReport {
        try await test.run(ItemsDataset.make(pages: pages), options: options)
    }

    func ledger(_ test: TestPlatform) async throws -> [RunRecord] {
        try await test.withWarehouse { warehouse in
            try await RunLedger(warehouse.dialect).recent(source: "fixture", dataset: "items", limit: 100, in: warehouse)
        }
    }

    @Test(arguments: WarehouseKind.allCases)
    func duplicateKeysAcrossArtifactsKeepTheLastRow(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let first = try await run(test, [
            #"{"results": [{"id": "A", "name": "first"}, {"id": "B", "name": "b"}]}"#,
            #"{"results": [{"id": "C", "name": "c"}, {"id": "A", "name": "last"}, {"id": "B", "name": "b"}]}"#,
        ])
        #expect(first.status == "succeeded", "\(first.error ?? "")")
        #expect(first.counts.parsed == 5)
        #expect(first.counts.duplicates == 2)
        #expect(first.counts.inserted == 3)
        #expect(first.counts.updated == 0 && first.counts.unchanged == 0)
        let rows = try await test.fixtureItems()
        #expect(rows["A"]?["name"] == "last")
        #expect(rows["A"]?["bronze_object_path"]?.hasSuffix("page_2.json") == true, "the whole last row wins")

        // A changed row followed by the row silver already has: the last one (unchanged) wins.
        let second = try await run(test, [
            #"{"results": [{"id": "A", "name": "changed in between"}]}"#,
            #"{"results": [{"id": "A", "name": "last"}, {"id": "C", "name": "c2"}]}"#,
        ])
        #expect(second.status == "succeeded", "\(second.error ?? "")")
        #expect(second.counts.parsed == 3)
        #expect(second.counts.duplicates == 1)
        #expect(second.counts.inserted == 0)
        #expect(second.counts.updated == 1)
        #expect(second.counts.unchanged == 1)
        let after = try await test.fixtureItems()
        #expect(after["A"]?["name"] == "last")
        #expect(after["A"]?["ingested_at"] == rows["A"]?["ingested_at"])
        #expect(after["C"]?["name"] == "c2")
        let record = try #require(try await ledger(test).first { $0.runId == second.runId })
        #expect(record.counts.updated == 1 && record.counts.unchanged == 1, "the ledger has the same counts")
    }

    @Test(arguments: WarehouseKind.allCases)
    func awkwardTextRoundTripsAndHashesTheSame(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let names = ["tab\there", "new\nline", "back\\slash", "carriage\rreturn", "\\N", "ünïcødé ✓", "", "end\\"]
        let items = names.enumerated().map { index, name in
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
                .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
            return #"{"id": "N\#(index)", "name": "\#(escaped)"}"#
        } + [#"{"id": "NULL"}"#]
        let page = #"{"results": [\#(items.joined(separator: ","))]}"#
        let first = try await run(test, [page])
        #expect(first.status == "succeeded", "\(first.error ?? "")")
        #expect(first.counts.inserted == names.count + 1)
        let rows = try await test.fixtureItems()
        for (index, name) in names.enumerated() {
            #expect(rows["N\(index)"]?["name"] == .some(name), "value \(index) stored exactly")
        }
        #expect(rows["NULL"]?["name"] == .some(nil), "a missing value is NULL, not the text \\N")
        let again = try await run(test, [page])
        #expect(again.counts.unchanged == names.count + 1, "the stored text hashes as the parsed text")
    }

    @Test(arguments: WarehouseKind.allCases)
    func concurrentRunsOfOneDatasetRunOneAfterTheOther(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let pages = itemPages(count: 3_000, pageSize: 100)
        // Tables and the ledger exist before the race.
        _ = try await run(test, [#"{"results": [{"id": "seed"}]}"#])
        async let a = run(test, pages)
        async let b = run(test, pages)
        let reports = try await [a, b]
        for report in reports { #expect(report.status == "succeeded", "\(report.error ?? "")") }
        let inserted = reports.map(\.counts.inserted).sorted()
        let unchanged = reports.map(\.counts.unchanged).sorted()
        #expect(inserted == [0, 3_000], "one run inserts everything, the other finds it: \(inserted)")
        #expect(unchanged == [0, 3_000])
        #expect(try await test.fixtureItems().count == 3_001)
        let records = try await ledger(test).filter { reports.map(\.runId).contains($0.runId) }
        #expect(records.count == 2 && records.allSatisfy { $0.status == .succeeded })
    }

    @Test(arguments: WarehouseKind.allCases)
    func aRunWaitingTooLongForTheDatasetLockFailsClearly(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind, ["INGEST_LOCK_WAIT_SECONDS": "1"])
        _ = try await run(test, itemPages(count: 10))
        let holder = try await test.platform.openWarehouse()
        let lock = try await holder.lockDataset("fixture.items", holder: "test-holder", waitSeconds: 0, say: { _ in })
        let blocked = try await run(test, itemPages(count: 10))
        await lock.release()
        await holder.close()
        #expect(blocked.status == "failed")
        #expect(blocked.error?.contains("another run of fixture.items still holds the dataset lock after 1 s") == true, "\(blocked.error ?? "")")
        // Another dataset of the same warehouse is not held up (different lock).
        let other = try await test.withWarehouse { warehouse in
            try await warehouse.lockDataset("fixture.other", holder: "test-holder", waitSeconds: 0, say: { _ in })
        }
        await other.release()
        let after = try await run(test, itemPages(count: 10))
        #expect(after.status == "succeeded", "the lock is free again: \(after.error ?? "")")
    }

    @Test(arguments: WarehouseKind.allCases)
    func runningRowsOfKilledRunsAreMarkedFailedByTheNextRun(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        _ = try await run(test, itemPages(count: 10))
        try await test.withWarehouse { warehouse in
            for (run, dataset) in [("killed-run", "items"), ("other-dataset", "other")] {
                try await warehouse.execute("""
                    INSERT INTO staging.ingestion_state (run_id, source, dataset, status, started_at)
                    VALUES ('\(run)', 'fixture', '\(dataset)', 'running', '2026-01-01 00:00:00')
                    """)
            }
        }
        let next = try await run(test, itemPages(count: 10))
        #expect(next.status == "succeeded")
        let records = try await test.withWarehouse { warehouse in
            try await RunLedger(warehouse.dialect).recent(limit: 100, in: warehouse)
        }
        let killed = try #require(records.first { $0.runId == "killed-run" })
        #expect(killed.status == .failed)
        #expect(killed.error?.contains("interrupted") == true)
        #expect(killed.error?.contains(next.runId) == true)
        #expect(killed.finishedAt != nil)
        #expect(records.first { $0.runId == "other-dataset" }?.status == .running, "another dataset's run is left alone")
    }

    @Test(arguments: WarehouseKind.allCases)
    func manyArtifactsLoadInOrder(_ kind: WarehouseKind) async throws {
        // More artifacts than the parse window: results are consumed in manifest order.
        let pages = (0..<40).map { page in #"{"results": [{"id": "K", "name": "page \#(page)"}, {"id": "P\#(page)"}]}"# }
        let test = try await TestPlatform.make(kind)
        let report = try await run(test, pages)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.parsed == 80 && report.counts.duplicates == 39 && report.counts.inserted == 41)
        #expect(try await test.fixtureItems()["K"]?["name"] == "page 39")
    }
}
