import Foundation
import IngestTestSupport
import Testing
@testable import IngestKit

/// One vocabulary for a run: statuses are enums stored as their names, the counts are one
/// flat object in the report, and the report and `run_results.json` say which shape they have.
@Suite struct RunVocabularyTests {
    static func report() -> RunReport {
        var report = RunReport(runId: "r1", source: "s", dataset: "d", startedAt: LocalTimestamp(iso: "2026-11-30 00:00:00.000")!, warehouse: "w", bronze: "b")
        report.status = .succeeded
        report.counts.artifacts = 2
        report.counts.bytes = 10
        report.counts.parsed = 5
        report.counts.inserted = 4
        report.counts.duplicates = 1
        report.steps = [RunReport.Step(name: .load, status: .skipped, seconds: 0)]
        return report
    }

    @Test func theReportJSONCarriesItsSchemaVersionStatusesAsNamesAndFlatCounts() throws {
        let json = try #require(JSONSerialization.jsonObject(with: try Self.report().json()) as? [String: Any])
        #expect(json["schema_version"] as? Int == RunReport.schemaVersion)
        #expect(json["status"] as? String == "succeeded")
        let counts = try #require(json["counts"] as? [String: Int])
        #expect(counts == ["artifacts": 2, "bytes": 10, "parsed": 5, "inserted": 4, "updated": 0, "unchanged": 0,
                           "duplicates": 1, "sanitized": 0, "rejected": 0])
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps.first?["status"] as? String == "skipped")
    }

    @Test func countsRoundTripThroughTheirFlatJSON() throws {
        let counts = Self.report().counts
        let decoded = try JSONDecoder().decode(RunReport.Counts.self, from: try JSONEncoder().encode(counts))
        #expect(decoded == counts)
        #expect(decoded.load.inserted == 4)
    }

    @Test func runResultsCarryTheirSchemaVersionAndTypedStatuses() throws {
        var results = ModelResults(invocationId: "i", command: "build", selection: nil, dialect: "sqlite", startedAt: LocalTimestamp(iso: "2026-11-30 00:00:00")!)
        results.results = [ModelResults.Node(status: .fail, name: "t", kind: .test, model: "m", seconds: 0)]
        let json = try #require(JSONSerialization.jsonObject(with: try results.json()) as? [String: Any])
        #expect(json["schema_version"] as? Int == ModelResults.schemaVersion)
        let nodes = try #require(json["results"] as? [[String: Any]])
        #expect(nodes.first?["status"] as? String == "fail")
        #expect(results.summary.testsFailed == 1)
        #expect(!results.completed, "a build whose test failed did not do all it was asked")
        let decoded = try JSONDecoder().decode(ModelResults.self, from: try results.json())
        #expect(decoded.results.first?.status == .fail)
    }

    @Test func aStatusComparesWithItsName() {
        #expect(RunStatus.failed == "failed")
        #expect(RunStatus.failed != "succeeded")
        let missing: StepStatus? = nil
        #expect(!(missing == "skipped"))
        #expect("\(StepStatus.skipped)" == "skipped")
        #expect(RunStatus(rawValue: "running") == .running)
    }

    /// The keys users' scripts read from `--report`, and a timestamp's text, stay as they were.
    @Test func theReportJSONKeepsEveryKeyAndItsTimestampText() throws {
        var report = Self.report()
        report.finishedAt = LocalTimestamp(iso: "2026-11-30 00:00:01.250")
        let json = try #require(JSONSerialization.jsonObject(with: try report.json()) as? [String: Any])
        #expect(Set(json.keys) == [
            "schema_version", "run_id", "source", "dataset", "status", "started_at", "finished_at", "warehouse", "bronze",
            "bronze_prefix", "from_run_id", "counts", "steps", "gate", "watermark", "models", "models_published", "error",
            "reject_samples", "drift", "stop_reason", "total_not_reached", "notices", "ingest_date", "window_start", "window_end",
            "replayed_runs",
        ])
        #expect(json["started_at"] as? String == "2026-11-30 00:00:00")
        #expect(json["finished_at"] as? String == "2026-11-30 00:00:01.250000")
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps.first?["name"] as? String == "load")
        let decoded = try JSONDecoder().decode(RunReport.self, from: try report.json())
        #expect(decoded.startedAt == report.startedAt && decoded.finishedAt == report.finishedAt && decoded.steps == report.steps)
    }

    /// `staging.ingestion_state` keeps its columns, and a run written and read back is the same run.
    @Test func theLedgerKeepsItsColumnsAndReadsBackWhatItWrote() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let warehouse = try await SQLiteWarehouse.open(directory: folder)
        let ledger = RunLedger(warehouse.dialect)
        try await ledger.prepare(in: warehouse)
        let columns = try await warehouse.existingColumns(schema: RunLedger.schema, table: RunLedger.table).map(\.name)
        #expect(columns == [
            "run_id", "source", "dataset", "status", "started_at", "finished_at", "artifacts", "bytes", "rows_parsed",
            "rows_inserted", "rows_updated", "rows_unchanged", "rows_rejected", "error_message", "watermark", "steps",
            "ingest_date", "window_start", "window_end", "models", "from_runs", "drift",
        ])
        var report = Self.report()
        report.finishedAt = LocalTimestamp(iso: "2026-11-30 00:00:01.250")
        report.error = "it broke"
        let written = Pipeline.ledgerRecord(report, .failed)
        try await ledger.start(written, in: warehouse)
        try await ledger.update(written, in: warehouse)
        let row = try #require(try await warehouse.execute("SELECT * FROM \"staging\".\"ingestion_state\"").first)
        #expect(row["started_at"] == "2026-11-30 00:00:00" && row["finished_at"] == "2026-11-30 00:00:01.250000")
        #expect(row["artifacts"] == "2" && row["bytes"] == "10" && row["rows_parsed"] == "5" && row["rows_inserted"] == "4")
        #expect(row["steps"] == #"[{"name":"load","seconds":0,"status":"skipped"}]"#)
        let read = try #require(try await ledger.record(runId: "r1", in: warehouse))
        var kept = written
        kept.counts.duplicates = 0  // the report's alone: the ledger has no column for it
        #expect(read == kept)
        await warehouse.close()
    }

    /// A run of more than 2 GiB of bronze (5M orders are 2.4 GB) keeps its byte count in the ledger: `bytes` is a
    /// `bigint` column, and an `integer` bind made PostgreSQL refuse the row and roll the whole load back.
    @Test(arguments: WarehouseKind.allCases)
    func theLedgerKeepsTheBytesOfARunOfMoreThanTwoGiB(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let read = try await test.withWarehouse { warehouse in
            let ledger = RunLedger(warehouse.dialect)
            try await ledger.prepare(in: warehouse)
            var record = Pipeline.ledgerRecord(Self.report(), .succeeded)
            record.counts.bytes = 2_406_456_650
            try await ledger.start(record, in: warehouse)
            try await ledger.update(record, in: warehouse)
            return try await ledger.record(runId: record.runId, in: warehouse)
        }
        #expect(read?.counts.bytes == 2_406_456_650)
        #expect(read?.status == .succeeded)
    }
}
