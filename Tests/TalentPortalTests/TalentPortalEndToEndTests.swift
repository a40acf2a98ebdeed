import Foundation
import Synchronization
import IngestKit
import IngestTestSupport
@testable import TalentPortal
import Testing

/// talent_portal.vacatures end to end: the demo portal on loopback, a real headless chromium,
/// bronze in a folder, silver in each warehouse.
@Suite(.serialized) struct TalentPortalEndToEndTests {
    let registry = SourceRegistry([TalentPortalSource()])

    func platform(_ kind: WarehouseKind, _ portal: TalentDemoPortal) async throws -> (TestPlatform, LoopbackHTTPServer) {
        let server = try await portal.start(port: 0)
        let test = try await TestPlatform.make(kind, ["TALENT_PORTAL_BASE_URL": server.baseURL])
        return (test, server)
    }

    @Test(arguments: WarehouseKind.allCases)
    func vacaturesRunEndToEndAndRerunChangesNothing(_ kind: WarehouseKind) async throws {
        let (test, server) = try await platform(kind, TalentDemoPortal(vacancies: 60))
        defer { Task { await server.stop() } }
        let first = try await test.platform.run("talent_portal.vacatures", in: registry)
        #expect(first.status == "succeeded", "\(first.error ?? "")")
        #expect(first.counts.artifacts == 4, "3 Aura pages and a DOM snapshot")
        #expect(first.counts.parsed == 60)
        #expect(first.counts.inserted == 60)
        let again = try await test.platform.run("talent_portal.vacatures", in: registry)
        #expect(again.counts.inserted == 0 && again.counts.updated == 0 && again.counts.unchanged == 60)

        let rows = try await test.withWarehouse { try await $0.execute("SELECT * FROM talent_portal.vacatures ORDER BY vacature_id") }
        #expect(rows.count == 60)
        let first1 = rows[0]
        #expect(first1["vacature_id"] == "a0X5J0000000001QAA")
        #expect(first1["vacature_number"] == "VAC-00001")
        #expect(first1["title"] == "Projectleider Sociaal Domein")
        #expect(first1["client_name"] == "Rijkswaterstaat")
        #expect(first1["location"] == "Utrecht")
        #expect(first1["hours_per_week"] == "22")
        #expect(first1["hourly_rate"] == "77.37")
        #expect(first1["publication_date"] == "2026-02-02")
        #expect(first1["closing_date"] == "2026-03-02")
        #expect(first1["status"] == "In behandeling")
        #expect(first1["source_url"] == server.baseURL + "/s/vacature/a0X5J0000000001QAA")
        #expect(first1["bronze_object_path"]?.contains("aura_page_00001") == true)
        #expect(first1["checksum_sha256"]?.count == 64)
        // The awkward cases survive as they came.
        #expect(rows[1]["client_name"] == nil, "a vacancy without an account has a null client")
        #expect(rows[4]["client_name"] == "", "a blank account name stays blank")
        #expect(rows[6]["client_name"] == " Rijkswaterstaat ", "padded client kept")
        #expect(rows[3]["title"] == "  Adviseur Inkoop  ", "padded title kept")
        #expect(rows[5]["status"] == " GESLOTEN ", "padded upper-case status kept")
        #expect(rows[16]["hours_per_week"] == nil)
        #expect(rows[18]["hourly_rate"] == nil)
        #expect(rows[22]["closing_date"] == nil)
        #expect(rows[28]["title"] == nil)
        #expect(rows[2]["location"] == nil)
        #expect(rows.contains { $0["hourly_rate"]?.contains(".") == false }, "whole-euro rates (JSON integers) too")

        let state = try await test.platform.recentRuns("talent_portal.vacatures", in: registry)
        #expect(state.count == 2)
        #expect(state.allSatisfy { $0.status == .succeeded })
        #expect(state.first?.watermark == "2026-09-27")

        // The run ends with the talent_portal models, tested and published.
        #expect(first.models?.built == 4 && first.models?.testsFailed == 0 && first.modelsPublished == true, "\(String(describing: first.models))")
        let (facts, clients, enriched) = try await test.withWarehouse { warehouse in
            (try await warehouse.execute("SELECT count(*) AS n, count(client_sk) AS with_client FROM marts.fct_vacatures").first,
             try await warehouse.execute("SELECT client_name FROM marts.dim_client ORDER BY client_name").compactMap { $0["client_name"] },
             try await warehouse.execute("SELECT vacature_id, client_clean, is_expired, days_open FROM intermediate.int_talent_portal__vacatures_enriched ORDER BY vacature_id"))
        }
        #expect(facts?["n"] == "60" && facts?["with_client"] == "60")
        #expect(clients.contains("Unknown"), "null and blank clients become Unknown")
        #expect(clients.filter { $0 == "Rijkswaterstaat" }.count == 1, "a padded client is the same client")
        #expect(enriched[22]["is_expired"] == "0", "no closing date: not expired")
        #expect(enriched[0]["is_expired"] == "1", "closed 2026-03-02, before today")
        #expect(enriched.allSatisfy { $0["days_open"] != nil })
    }

    @Test(arguments: WarehouseKind.allCases)
    func aNewRevisionUpdatesExactlyTheRetitledVacancies(_ kind: WarehouseKind) async throws {
        // One server (so one port, so the same source_url) that serves revision 0, then revision 1.
        let portal = PortalBox(TalentDemoPortal(vacancies: 30))
        let server = try await LoopbackHTTPServer.start { request in await portal.current.respond(to: request) }
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(kind, ["TALENT_PORTAL_BASE_URL": server.baseURL])
        let first = try await test.platform.run("talent_portal.vacatures", in: registry)
        #expect(first.counts.inserted == 30, "\(first.error ?? "")")
        portal.current = TalentDemoPortal(vacancies: 30, revision: 1)
        let second = try await test.platform.run("talent_portal.vacatures", in: registry)
        #expect(second.status == "succeeded", "\(second.error ?? "")")
        #expect(second.counts.updated == 3, "vacancies 10, 20 and 30 have a new title")
        #expect(second.counts.unchanged == 27)
        let titles = try await test.withWarehouse { try await $0.execute("SELECT title FROM talent_portal.vacatures WHERE vacature_number = 'VAC-00020'") }
        #expect(titles.first?["title"] == "Adviseur Inkoop (rev 1)")
    }

    @Test func theBuiltInDemoRunsWithNoConfiguration() async throws {
        let port = try await Ingestctl.freePort()
        let test = try await TestPlatform.make(.sqlite, ["TALENT_PORTAL_DEMO_ROWS": "26", "TALENT_PORTAL_DEMO_PORT": String(port)])
        let lines = SaidLines()
        let platform = try Platform(settings: test.settings, say: { lines.append($0) })
        let report = try await platform.run("talent_portal.vacatures", in: registry)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.parsed == 26)
        #expect(lines.all.contains { $0.contains("built-in demo portal at http://127.0.0.1:\(port)") })
        #expect(lines.all.contains { $0.contains("browsed 2 page(s)") })
    }

    @Test func theParserReadsTheRecordProviderOnly() throws {
        let portal = TalentDemoPortal(vacancies: 3)
        let bytes = Data(portal.auraPage(1).utf8)
        let provenance = Provenance(artifactId: "aura_page_00001", key: "k", sha256: "", size: bytes.count,
                                    url: "http://127.0.0.1:8767/s/sfsites/aura?r=1&page=1", contentType: "application/json",
                                    extractionMethod: .xhrJSON, runId: "r", extractedAt: "")
        let rows = try TalentPortalSource.parseVacatures(StoredArtifact(bytes: bytes, provenance: provenance))
        #expect(rows.map(\.vacatureNumber) == ["VAC-00001", "VAC-00002", "VAC-00003"])
        #expect(rows[0].sourceURL == "http://127.0.0.1:8767/s/vacature/a0X5J0000000001QAA")
        var snapshot = provenance
        snapshot.extractionMethod = .domHTMLSnapshot
        #expect(try TalentPortalSource.parseVacatures(StoredArtifact(bytes: Data("<html></html>".utf8), provenance: snapshot)).isEmpty)
        // An Aura answer with records only in returnValue fails naming the artifact and the right path.
        let wrong = Data(#"{"actions": [{"returnValue": {"records": []}}], "context": {"globalValueProviders": []}}"#.utf8)
        let error = try #require(throws: ParseError.self) { try TalentPortalSource.parseVacatures(StoredArtifact(bytes: wrong, provenance: provenance)) }
        #expect(error.description.contains("aura_page_00001"))
        #expect(error.description.contains("$Record"))
    }
}

final class PortalBox: Sendable {
    private let portal: Mutex<TalentDemoPortal>
    init(_ portal: TalentDemoPortal) { self.portal = Mutex(portal) }
    var current: TalentDemoPortal {
        get { portal.withLock { $0 } }
        set { portal.withLock { $0 = newValue } }
    }
}
