import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// What `ingestctl new golden_fees fees --key fee_id --from-url http://127.0.0.1:36987/fees.json` writes for
/// flat records (the row is the record: no item type, no parser) is kept in `GoldenFees/` of this test
/// target, so it compiles with every build; this suite checks that the scaffold still writes exactly
/// those files and that they run end to end (SQLite): the rows, the typed watermark, the published marts.
@Suite struct GoldenFeesTests {
    static let sample = Data(#"""
        [{"fee_id": 1, "permit_number": "BP-2025-0001", "paid_on": "2025-02-02", "amount": "12.25", "waived": false, "updated_at": "2025-02-02T10:01:00Z", "tags": ["a"]},
         {"fee_id": 2, "permit_number": "BP-2025-0002", "paid_on": "2025-02-03", "amount": "24.25", "waived": true, "updated_at": "2025-02-03T10:02:00Z", "tags": []},
         {"fee_id": 3, "permit_number": "BP-2025-0003", "paid_on": null, "amount": "36.25", "waived": false, "updated_at": "2025-02-04T10:03:00Z", "tags": ["b", "c"]}]
        """#.utf8)

    @Test func theScaffoldWritesTheseFiles() throws {
        let scaffold = try SourceScaffold(source: "golden_fees", dataset: "fees", request: SampleRequest(url: "http://127.0.0.1:36987/fees.json"),
                                          shape: SampleShape(json: Self.sample, dataset: "fees"), sample: Self.sample, key: "fee_id")
        #expect(scaffold.rowIsRecord)
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("GoldenFees")
        let written = scaffold.newSourceFiles()
        for name in ["GoldenFeesSource.swift", "FeesTable.swift", "FeesDataset.swift", "Models/FeesModels.swift"] {
            let generated = try #require(written.first { $0.path == "Sources/Sources/GoldenFees/\(name)" }, "\(name) is not written")
            let kept = try String(contentsOf: folder.appendingPathComponent((name as NSString).lastPathComponent), encoding: .utf8)
            #expect(generated.text == kept, "\(name) differs from what ingestctl new writes: regenerate Tests/IngestKitTests/Scaffold/GoldenFees/")
        }
        #expect(!written.contains { $0.path.hasSuffix("Item.swift") || $0.path.hasSuffix("Parser.swift") })
    }

    @Test func theGeneratedDatasetRunsEndToEnd() async throws {
        let sample = Self.sample
        let server = try await LoopbackHTTPServer.start { request in
            request.path == "/fees.json" ? .init(headers: [("Content-Type", "application/json")], body: sample) : .json(#"{"error": "not found"}"#, status: 404)
        }
        let test = try await TestPlatform.make(.sqlite, ["GOLDEN_FEES_BASE_URL": server.baseURL])
        let report = try await test.platform.run("golden_fees.fees", in: SourceRegistry([GoldenFeesSource()]))
        await server.stop()
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.inserted == 3 && report.counts.rejected == 0)
        #expect(report.watermark == "2025-02-04 10:03:00", "the latest updated_at, as a timestamp")
        #expect(report.models?.built == 3 && report.models?.testsFailed == 0)
        let rows = try await test.rows(of: "golden_fees.fees", by: "fee_id")
        #expect(rows["3"]?["tags"] == #"["b","c"]"#)
        #expect(rows["3"].map { $0["paid_on"] ?? nil } == .some(nil), "a null date stays NULL")
        #expect(rows["1"]?["amount"] == "12.25")
    }
}
