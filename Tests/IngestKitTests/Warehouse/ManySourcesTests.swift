import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Fifteen sources on one warehouse: more schemas than SQLite could attach (10), on the embedded
/// default as on PostgreSQL, with the same results.
@Suite struct ManySourcesTests {
    static let count = 15

    struct Outcome {
        var test: TestPlatform
        var crossSource: [ResultRow]
        var allItems: [ResultRow]
        var ledger: [ResultRow]
    }

    /// Runs each generated source end to end, then one `models build` of every model.
    func runEverything(_ kind: WarehouseKind) async throws -> Outcome {
        let test = try await TestPlatform.make(kind)
        let sources = GeneratedSources.make(count: Self.count)
        #expect(sources.count == Self.count)
        let registry = SourceRegistry(sources)
        for source in sources {
            let name = "\(source.name).items"
            let report = try await test.platform.run(name, in: registry)
            #expect(report.succeeded, "\(kind) \(name): \(report.error ?? "")")
            #expect(report.source + "." + report.dataset == name)
            #expect(report.counts.inserted == report.counts.parsed && report.counts.parsed > 20, "\(kind) \(name)")
            #expect(report.modelsPublished == true, "\(kind) \(name)")
        }
        let build = try await test.platform.models(.build, in: registry, select: nil)
        #expect(build.published, "\(kind): \(build.text)")
        let models = build.results.filter { $0.kind == .model }
        #expect(models.count == 2 * Self.count + 2, "every model is built: a staging and an intermediate model per source, two marts")
        #expect(models.allSatisfy { $0.status == "success" }, "\(kind): \(build.text)")
        #expect(build.results.contains { $0.kind == .test && $0.name.contains("fct_generated_cross_source") && $0.status == "success" })

        return try await test.withWarehouse { warehouse in
            Outcome(
                test: test,
                crossSource: try await warehouse.execute("SELECT * FROM marts.fct_generated_cross_source ORDER BY id"),
                allItems: try await warehouse.execute("SELECT source_name, id, name, quantity FROM marts.fct_generated_items_all ORDER BY source_name, id"),
                ledger: try await warehouse.execute("SELECT source, dataset, status, rows_parsed, rows_inserted FROM staging.ingestion_state ORDER BY source"))
        }
    }

    @Test func fifteenSourcesAndACrossSourceMartGiveTheSameResultsOnBothWarehouses() async throws {
        let sqlite = try await runEverything(.sqlite)
        let postgres = try await runEverything(.postgres)

        // Items 0…20 are served by sources 1, 2 and 3 alike; source N serves 20 + N items.
        #expect(sqlite.crossSource.count == GeneratedItemsTable<Generated1>.itemCount)
        #expect(sqlite.crossSource.allSatisfy { row in
            (row["quantity_total"] ?? nil).flatMap { Int($0) } == (row["id"] ?? nil).flatMap { Int($0.dropFirst()) }.map { 3 * $0 }
        }, "item I<n> has quantity n in each of the three sources")
        #expect(Set(sqlite.crossSource.compactMap { $0["name_gen_02"] ?? nil }).contains { $0.hasSuffix("changed") })
        #expect(sqlite.allItems.count == (1...Self.count).reduce(0) { $0 + 20 + $1 })
        #expect(Set(sqlite.allItems.compactMap { $0["source_name"] ?? nil }).count == Self.count)
        #expect(sqlite.ledger.count == Self.count && sqlite.ledger.allSatisfy { $0["status"] == "succeeded" })

        #expect(sqlite.crossSource == postgres.crossSource, "the cross-source mart is identical on SQLite and PostgreSQL")
        #expect(sqlite.allItems == postgres.allItems, "the all-sources mart is identical on SQLite and PostgreSQL")
        #expect(sqlite.ledger == postgres.ledger)

        // The embedded warehouse is one file, which the sqlite3 shell reads with the quoted names.
        let folder = sqlite.test.home + "/warehouse"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sqlite") }
        #expect(files == ["warehouse.sqlite"])
        let shell = try await SQLiteShell.run(folder + "/warehouse.sqlite", #"SELECT count(*) FROM "marts.fct_generated_cross_source";"#)
        #expect(shell == "\(sqlite.crossSource.count)\n")
        let tables = try await SQLiteShell.run(folder + "/warehouse.sqlite", ".tables")
        #expect(tables.contains("gen_15.items") && tables.contains("staging.ingestion_state"))
    }
}
