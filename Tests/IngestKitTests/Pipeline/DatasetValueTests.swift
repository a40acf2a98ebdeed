import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// A record that is the row (`ParseFunction.records(at:)`): one declaration for the JSON and the table.
struct ReadingRow: Sendable, Hashable, Decodable {
    var id: Int64
    var label: String?
    var takenOn: CalendarDate?
    var extra: JSONText?
    enum CodingKeys: String, CodingKey { case id, label, extra, takenOn = "taken_on" }
}

struct ReadingsSource: Source {
    static let sourceName = "readings_src"
    static let readings = dataset(
        "readings",
        columns: [Column("id", \ReadingRow.id, primaryKey: true), Column("label", \.label), Column("taken_on", \.takenOn), Column("extra", \.extra)],
        extractor: PagesExtractor(pages: []),
        parse: .records(at: "data.items"),
        watermark: .latest(\.id))
    var datasets: [Dataset] { [Self.readings] }
}

/// The dataset value: the platform's columns by default, the source's name, the parse forms, typed watermarks.
@Suite struct DatasetValueTests {
    func artifact(_ json: String) -> StoredArtifact {
        StoredArtifact(bytes: Data(json.utf8), provenance: Provenance(
            artifactId: "page_00001", key: "bronze/readings.json", sha256: "", size: json.utf8.count, url: "http://127.0.0.1/",
            contentType: "application/json", extractionMethod: .apiJSON, runId: "test", extractedAt: ""))
    }

    @Test func theSourceNamesTheDatasetAndThePlatformColumnsAreAdded() throws {
        let dataset = ReadingsSource.readings
        #expect(dataset.qualifiedName == "readings_src.readings")
        let table = try dataset.tableSchema()
        #expect(table.schema == "readings_src" && table.table == "readings")
        #expect(table.columns.map(\.name) == ["id", "label", "taken_on", "extra", "bronze_object_path", "checksum_sha256", "ingested_at"])
        #expect(table.columns.map(\.type) == [.integer, .text, .date, .jsonb, .text, .text, .timestamp])
        #expect(table.primaryKey == ["id"])
        // Without a declared name, the type's name without "Source", in snake_case.
        #expect(FixtureSource.sourceName == "fixture")
    }

    struct FixtureSource: Source {
        var datasets: [Dataset] { [] }
    }

    @Test func recordsAtAPathAreRowsAndAWrongOneIsRejectedWithItsJSON() throws {
        let parse = try ReadingsSource.readings.makeParser()
        let page = #"{"data": {"items": [{"id": 9, "label": "a", "taken_on": "2025-01-02", "extra": {"b": 1, "a": [2]}}, {"id": 10, "taken_on": "not a date"}, {"id": 8, "unread": true}]}}"#
        let parsed = try parse(artifact(page))
        #expect(parsed.rows.count == 2)
        #expect(parsed.rows.first?[3] == .jsonb(#"{"a":[2],"b":1}"#), "jsonb: compact, keys sorted")
        #expect(parsed.rejects.map(\.item) == [2])
        #expect(parsed.rejects.first?.raw?.contains("not a date") == true)
        #expect(parsed.drift.map(\.path) == ["unread"])
        // Integers compare as integers: 9 is the largest loaded id (10 was rejected), and 9 < 10 < 11.
        #expect(parsed.watermark == Watermark(9))
        #expect(try parse(artifact(#"{"data": {}}"#)).rows.isEmpty, "no records: an empty page")
        #expect(try parse(artifact(#"{"data": null}"#)).rows.isEmpty)
        #expect(throws: ParseError.self) { try parse(artifact(#"{"data": {"items": {"id": 1}}}"#)) }
    }

    @Test func watermarksCompareByType() throws {
        #expect(Watermark(9) < Watermark(10))
        #expect(Watermark(text: "9") > Watermark(text: "10"), "text compares as text")
        #expect(Watermark(CalendarDate(iso: "2025-01-09")!) < Watermark(CalendarDate(iso: "2025-01-10")!))
        let morning = Watermark(LocalTimestamp(iso: "2025-01-10T09:00:00Z")!)
        let evening = Watermark(LocalTimestamp(iso: "2025-01-10T21:00:00+02:00")!)
        #expect(morning < evening)
        #expect(evening.description == "2025-01-10 19:00:00")
        // The ledger keeps text; the later of a stored value and a new one is decided by the new one's type.
        #expect(Watermark.later("9", Watermark(10)) == "10")
        #expect(Watermark.later("10", Watermark(9)) == "10")
        #expect(Watermark.later(nil, Watermark(9)) == "9")
        #expect(Watermark.later("2025-01-10", nil) == "2025-01-10")
        #expect(Watermark.later("not a number", Watermark(3)) == "3", "a stored value of another kind gives way")
        #expect(Watermark("2025-01-10 19:00:00", as: .timestamp) == evening)
    }

    /// An integer watermark across artifacts and runs: the ledger holds 10, not "9" (the larger as text).
    @Test func aRunKeepsTheLargestIntegerWatermark() async throws {
        let pages = [#"{"data": {"items": [{"id": 10}]}}"#, #"{"data": {"items": [{"id": 9}]}}"#]
        var dataset = ReadingsSource.readings
        dataset.extractor = PagesExtractor(pages: pages)
        let test = try await TestPlatform.make(.sqlite)
        let report = try await test.run(dataset)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.watermark == "10")
        let ledger = try await test.platform.recentRuns("readings_src.readings", in: SourceRegistry([ReadingsSource()]))
        #expect(ledger.map(\.watermark) == ["10"])
    }
}
