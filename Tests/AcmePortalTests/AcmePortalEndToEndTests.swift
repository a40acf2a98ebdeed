import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// acme_portal end to end over real HTTP: the demo API on 127.0.0.1, bronze in a folder, silver in each warehouse.
@Suite struct AcmePortalEndToEndTests {
    static let token = "acme-test-token-8f3a"
    let registry = SourceRegistry([AcmePortalSource()])

    /// A platform whose source is a demo API server started for this test.
    func platform(_ kind: WarehouseKind, rows: Int = 350) async throws -> (TestPlatform, LoopbackHTTPServer) {
        let server = try await AcmeDemoAPI(orders: rows, token: Self.token).start()
        let test = try await TestPlatform.make(kind, [
            "ACME_PORTAL_BASE_URL": server.baseURL,
            "ACME_PORTAL_API_TOKEN": Self.token,
        ])
        return (test, server)
    }

    @Test(arguments: WarehouseKind.allCases)
    func ordersRunEndToEndAndRerunChangesNothing(_ kind: WarehouseKind) async throws {
        let (test, server) = try await platform(kind)
        defer { Task { await server.stop() } }
        let first = try await test.platform.run("acme_portal.orders", in: registry)
        #expect(first.status == "succeeded", "\(first.error ?? "")")
        #expect(first.counts.artifacts == 4)
        #expect(first.counts.parsed == 350)
        #expect(first.counts.inserted == 350)
        let again = try await test.platform.run("acme_portal.orders", in: registry)
        #expect(again.counts.inserted == 0)
        #expect(again.counts.updated == 0)
        #expect(again.counts.unchanged == 350)

        let rows = try await test.withWarehouse { try await $0.execute("SELECT * FROM acme_portal.orders ORDER BY entity_id") }
        #expect(rows.count == 350)
        let first3 = rows[2]
        #expect(first3["entity_id"] == "ORD-000003")
        #expect(first3["title"] == "Order 3")
        #expect(first3["status"] == nil, "null status stays null in silver")
        #expect(first3["created_date"] == "2025-04-04")
        #expect(first3["customer_id"] == "CUS-000004")
        // Totals come as strings and as JSON numbers; both are stored exactly.
        #expect(rows[0]["amount"] == "79.19")
        #expect(rows[2]["amount"] == "237.57")
        #expect(rows.contains { $0["status"] == "" }, "blank status kept")
        #expect(rows.contains { $0["status"]?.hasPrefix("  ") == true }, "padded upper-case status kept")
        #expect(rows.contains { $0["created_date"] == nil }, "missing created_at kept as null")

        let state = try await test.platform.recentRuns("acme_portal.orders", in: registry)
        #expect(state.count == 2)
        #expect(state.allSatisfy { $0.status == .succeeded })
        #expect(state.first?.counts.unchanged == 350)
        #expect(state.first?.watermark == "2025-12-28")
    }

    @Test(arguments: WarehouseKind.allCases)
    func customersShareTheSchema(_ kind: WarehouseKind) async throws {
        let (test, server) = try await platform(kind, rows: 600)
        defer { Task { await server.stop() } }
        let orders = try await test.platform.run("acme_portal.orders", in: registry)
        let customers = try await test.platform.run("acme_portal.customers", in: registry)
        #expect(orders.succeeded)
        #expect(customers.status == "succeeded", "\(customers.error ?? "")")
        #expect(customers.counts.parsed == 120)
        let joined = try await test.withWarehouse { warehouse in
            try await warehouse.execute("""
                SELECT count(*) AS n FROM acme_portal.orders o JOIN acme_portal.customers c ON c.entity_id = o.customer_id
                """)
        }
        #expect(joined.first?["n"] == "600", "every order's customer is in customers")
    }

    @Test(arguments: WarehouseKind.allCases)
    func demoRevisionUpdatesExactlyTheChangedOrders(_ kind: WarehouseKind) async throws {
        let (test, server) = try await platform(kind, rows: 500)
        await server.stop()
        // Serve revision 0, then revision 1 (every 10th order renamed) on the same port.
        let v0 = try await AcmeDemoAPI(orders: 500, revision: 0, token: Self.token).start()
        let base = try test.with(["ACME_PORTAL_BASE_URL": v0.baseURL])
        #expect(try await base.platform.run("acme_portal.orders", in: registry).counts.inserted == 500)
        await v0.stop()
        let v1 = try await AcmeDemoAPI(orders: 500, revision: 1, token: Self.token).start(port: v0.port)
        defer { Task { await v1.stop() } }
        let changed = try await base.platform.run("acme_portal.orders", in: registry)
        #expect(changed.counts.updated == 50)
        #expect(changed.counts.unchanged == 450)
    }

    @Test func wrongTokenFailsClearlyWithoutTheToken() async throws {
        let server = try await AcmeDemoAPI(orders: 10, token: "the-real-token-123").start()
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(.sqlite, [
            "ACME_PORTAL_BASE_URL": server.baseURL, "ACME_PORTAL_API_TOKEN": "a-wrong-token-456",
        ])
        let report = try await test.platform.run("acme_portal.orders", in: registry)
        #expect(report.status == "failed")
        let error = try #require(report.error)
        #expect(error.contains("401"))
        #expect(!error.contains("a-wrong-token-456"))
        let state = try await test.platform.recentRuns("acme_portal.orders", in: registry)
        #expect(state.first?.status == .failed)
        #expect(state.first?.error?.contains("a-wrong-token-456") == false)
    }

    @Test func parserReadsEveryShapeOfTheAPI() throws {
        let page = """
            {"count": 4, "page": 1, "next": null, "results": [
              {"id": 17, "name": "n", "status": "  SHIPPED ", "created_at": "2025-03-05T23:30:00+02:00", "total": 12.50,
               "description": null, "customer": {"id": 4, "email": "e@x", "address": {"city": "Delft", "zip": "2611"}}, "lines": []},
              {"id": "B", "name": null, "status": null, "created_at": null, "total": "0.10", "description": "d", "customer": null, "lines": null},
              {"id": "C", "status": "", "total": null},
              {"id": "D", "total": 12345678901234567.89}
            ]}
            """
        let artifact = StoredArtifact(bytes: Data(page.utf8), provenance: Provenance(
            artifactId: "page_00001", key: "bronze/k.json", sha256: "", size: page.utf8.count, url: "http://h/v1/orders?page=1",
            contentType: "application/json", extractionMethod: .apiJSON, runId: "r", extractedAt: ""))
        let rows = try orderRows(artifact)
        #expect(rows.count == 4)
        #expect(rows[0].entityId == "17")
        #expect(rows[0].createdDate?.description == "2025-03-05", "the date as the source wrote it")
        #expect(rows[0].amount.map(DecimalText.canonical) == "12.5")
        #expect(rows[0].customerId == "4")
        #expect(rows[1].amount.map(DecimalText.canonical) == "0.1")
        #expect(rows[1].createdDate == nil)
        #expect(rows[2].status == "")
        #expect(rows[2].amount == nil)
        #expect(rows[3].amount.map(DecimalText.canonical) == "12345678901234567.89", "a JSON number is read exactly, not through a Double")
    }

    @Test func parserNamesTheArtifactOnBadInput() throws {
        let bad = #"{"results": [{"id": "A", "created_at": "yesterday"}]}"#
        let artifact = StoredArtifact(bytes: Data(bad.utf8), provenance: Provenance(
            artifactId: "page_00009", key: "k", sha256: "", size: 0, url: "", contentType: "application/json",
            extractionMethod: .apiJSON, runId: "r", extractedAt: ""))
        let error = #expect(throws: ParseError.self) { try orderRows(artifact) }
        #expect(error?.artifactId == "page_00009")
        #expect(error?.reason.contains("yesterday") == true)
    }
}
