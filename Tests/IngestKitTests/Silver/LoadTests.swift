import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Upsert semantics and run atomicity, through the real pipeline, on both warehouses.
@Suite struct LoadTests {
    @Test(arguments: WarehouseKind.allCases)
    func upsertInsertsThenKeepsThenUpdatesOnlyChangedRows(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let first = try await test.run(ItemsDataset.make(pages: itemPages(count: 200)))
        #expect(first.status == "succeeded", "\(first.error ?? "")")
        #expect(first.counts.parsed == 200)
        #expect(first.counts.inserted == 200)
        #expect(first.counts.updated == 0)
        #expect(first.counts.unchanged == 0)
        let afterFirst = try await test.fixtureItems()
        #expect(afterFirst.count == 200)
        #expect(afterFirst["I7"]?["amount"] == "7.1", "numeric is stored exactly")
        #expect(afterFirst["I7"]?["day"] == "2025-01-08")

        let identical = try await test.run(ItemsDataset.make(pages: itemPages(count: 200)))
        #expect(identical.counts.inserted == 0)
        #expect(identical.counts.updated == 0)
        #expect(identical.counts.unchanged == 200)
        let afterIdentical = try await test.fixtureItems()
        for (id, row) in afterFirst {
            #expect(afterIdentical[id]?["ingested_at"] == row["ingested_at"], "ingested_at kept for \(id)")
            #expect(afterIdentical[id]?["bronze_object_path"] == row["bronze_object_path"], "an unchanged row is not rewritten")
        }

        let changed = Set(stride(from: 0, to: 200, by: 10))
        let tenPercent = try await test.run(ItemsDataset.make(pages: itemPages(count: 200, changed: changed)))
        #expect(tenPercent.counts.inserted == 0)
        #expect(tenPercent.counts.updated == 20)
        #expect(tenPercent.counts.unchanged == 180)
        let afterChange = try await test.fixtureItems()
        for index in 0..<200 {
            let id = "I\(index)"
            #expect(afterChange[id]?["ingested_at"] == afterFirst[id]?["ingested_at"], "ingested_at kept on update")
            let rewritten = afterChange[id]?["checksum_sha256"] != afterFirst[id]?["checksum_sha256"]
            #expect(rewritten == changed.contains(index))
        }
        #expect(afterChange["I10"]?["name"] == "item 10 changed")
    }

    @Test(arguments: WarehouseKind.allCases)
    func duplicateKeysInOneArtifactKeepTheLastRow(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let page = #"{"results": [{"id": "A", "name": "first"}, {"id": "B"}, {"id": "A", "name": "last"}]}"#
        let report = try await test.run(ItemsDataset.make(pages: [page]))
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.parsed == 3)
        #expect(report.counts.duplicates == 1)
        #expect(report.counts.inserted == 2)
        #expect(try await test.fixtureItems()["A"]?["name"] == "last")
    }

    @Test(arguments: WarehouseKind.allCases)
    func malformedArtifactHalfwayLeavesSilverAsItWas(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let first = try await test.run(ItemsDataset.make(pages: itemPages(count: 100)))
        #expect(first.status == "succeeded")
        let before = try await test.fixtureItems()

        // Page 1 changes every row and page 2 is cut off: the whole load must roll back.
        var pages = itemPages(count: 100, changed: Set(0..<100))
        pages.append(#"{"results": [{"id": "Z1", "name": "#)
        let failed = try await test.run(ItemsDataset.make(pages: pages))
        #expect(failed.status == "failed")
        let error = try #require(failed.error)
        #expect(error.contains("page_3"), "the error names the artifact: \(error)")
        #expect(error.contains("--from-run \(failed.runId)"))
        #expect(try await test.fixtureItems() == before, "silver is exactly as it was")

        let state = try await test.withWarehouse { warehouse in
            try await RunLedger(warehouse.dialect).recent(source: "fixture", dataset: "items", in: warehouse)
        }
        let record = try #require(state.first { $0.runId == failed.runId })
        #expect(record.status == .failed)
        #expect(record.error?.contains("page_3") == true)
        #expect(record.counts.inserted == 0 && record.counts.updated == 0, "the ledger agrees with silver")
        #expect(record.finishedAt != nil)

        let bronzeKeys = try await LocalObjectStore(root: test.platform.lakehouseRoot).list(prefix: "bronze/fixture/dataset=items/")
        #expect(bronzeKeys.contains { $0.contains("run_id=\(failed.runId)/page_3.json") }, "bronze keeps the malformed artifact")
    }

    @Test(arguments: WarehouseKind.allCases)
    func fromRunReparsesBronzeWithoutCallingTheSource(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let calls = CallCounter()
        let dataset = ItemsDataset.make(pages: itemPages(count: 120), calls: calls)
        let first = try await test.run(dataset)
        #expect(first.status == "succeeded")
        #expect(await calls.count == 1)
        // Empty silver, then rebuild it from the first run's bronze alone.
        _ = try await test.withWarehouse { try await $0.execute("DELETE FROM fixture.items") }
        let again = try await test.run(dataset, options: RunOptions(fromRun: first.runId))
        #expect(again.status == "succeeded", "\(again.error ?? "")")
        #expect(await calls.count == 1, "the source was not called")
        #expect(again.counts.artifacts == 3)
        #expect(again.counts.inserted == 120)
        #expect(again.steps.first { $0.name == "extract" }?.status == "skipped")
        #expect(again.fromRunId == first.runId)

        let missing = try await test.run(dataset, options: RunOptions(fromRun: "no-such-run"))
        #expect(missing.status == "failed")
        #expect(missing.error?.contains("no bronze manifest for run no-such-run") == true)
    }

    @Test(arguments: WarehouseKind.allCases)
    func stepsSubsetExtractsOnly(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let report = try await test.run(ItemsDataset.make(pages: itemPages(count: 10)), options: RunOptions(steps: [.extract]))
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.artifacts == 1)
        #expect(report.counts.parsed == 0)
        #expect(report.steps.map(\.name) == ["preflight", "extract", "load", "models", "gate"])
        #expect(report.steps.map(\.status) == ["succeeded", "succeeded", "skipped", "skipped", "succeeded"])
        #expect(try await test.fixtureItems().isEmpty)
    }

    @Test(arguments: WarehouseKind.allCases)
    func zeroRowsFailsTheGateAndTheStateRowSaysSo(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let report = try await test.run(ItemsDataset.make(pages: [#"{"results": []}"#]))
        #expect(report.status == "failed")
        #expect(report.gate?.passed == false)
        #expect(report.error?.contains("0 records parsed") == true)
        let state = try await test.withWarehouse { warehouse in
            try await RunLedger(warehouse.dialect).recent(in: warehouse)
        }
        #expect(state.first?.status == .failed)
    }

    @Test(arguments: WarehouseKind.allCases)
    func watermarkIsRecordedAndHandedToTheNextRun(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let report = try await test.run(ItemsDataset.make(pages: itemPages(count: 40)))
        #expect(report.watermark == "2025-01-28")
        let last = try await test.withWarehouse { warehouse in
            try await RunLedger(warehouse.dialect).lastWatermark(source: "fixture", dataset: "items", in: warehouse)
        }
        #expect(last == "2025-01-28")
    }
}
