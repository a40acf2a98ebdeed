import Foundation
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
        var results = ModelResults(invocationId: "i", command: "build", selection: nil, dialect: "sqlite", startedAt: "2026-11-30 00:00:00")
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
}
