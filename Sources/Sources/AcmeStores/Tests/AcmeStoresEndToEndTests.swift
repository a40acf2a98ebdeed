import AcmeStores
import Foundation
import IngestKit
import IngestTesting
import Testing

/// acme_stores end to end over real HTTP: eight datasets from one list, every one of their models steps
/// rebuilding the shared marts, run at once in one process on each warehouse.
@Suite struct AcmeStoresEndToEndTests {
    static let token = "acme-stores-test-token-41c9"
    let registry = SourceRegistry([AcmeStoresSource()])

    @Test(arguments: WarehouseKind.allCases)
    func everyStoreRunAtOnceLoadsItsSalesAndTheSharedMartsHoldThemAll(_ kind: WarehouseKind) async throws {
        let server = try await StoreSalesDemoAPI(sales: 150, token: Self.token).start()
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(kind, ["ACME_STORES_BASE_URL": server.baseURL, "ACME_STORES_API_TOKEN": Self.token])
        let names = AcmeStoresSource.stores.map { "acme_stores.\($0.name)" }
        #expect(names.count == 8)

        let reports = try await withThrowingTaskGroup(of: RunReport.self) { group in
            for name in names { group.addTask { try await test.platform.run(name, in: registry) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for report in reports {
            #expect(report.status == "succeeded", "\(report.dataset): \(report.error ?? "")")
            #expect(report.counts.inserted == 150, "\(report.dataset)")
            #expect(report.modelsPublished == true, "\(report.dataset): \(String(describing: report.models))")
        }
        #expect(try await test.count(of: "acme_stores.lisbon") == 150)
        #expect(try await test.count(of: "marts.fct_store_sales") == 8 * 150)
        #expect(try await test.count(of: "marts.dim_store") == 8)
        let lisbon = try await test.withWarehouse {
            try await $0.execute("SELECT sale_id, sold_date, amount FROM acme_stores.lisbon WHERE sale_id = 'LIS-000003'")
        }
        #expect(lisbon.first?["sold_date"] == "2025-04-04")
        #expect(lisbon.first?["amount"] == "245.43")

        // A rerun of one store changes nothing in silver and publishes the marts again.
        let again = try await test.platform.run("acme_stores.oslo", in: registry)
        #expect(again.status == "succeeded", "\(again.error ?? "")")
        #expect(again.counts.unchanged == 150)
        #expect(again.modelsPublished == true)
    }

    @Test func theDemoAPIAnswersAnUnknownStoreWithNotFoundAndTheExtractSaysSo() async throws {
        let server = try await StoreSalesDemoAPI(sales: 10, token: Self.token).start()
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(.sqlite, ["ACME_STORES_BASE_URL": server.baseURL, "ACME_STORES_API_TOKEN": Self.token])
        let unknown = AcmeStoresSource.salesDataset("tokyo")
        let report = try await test.run(unknown)
        #expect(report.status == "failed")
        #expect(report.error?.contains("404") == true, "\(report.error ?? "")")
        #expect(report.error?.contains("/v1/stores/tokyo/sales") == true, "\(report.error ?? "")")
    }
}
