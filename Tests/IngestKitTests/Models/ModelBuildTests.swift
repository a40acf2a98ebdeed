import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Models on real warehouses: write-audit-publish, failures, tests, incremental, portable helpers.
@Suite struct ModelBuildTests {
    /// Loads the fixture items (60 rows) through the pipeline, which ends with the models build.
    func loaded(_ kind: WarehouseKind, source: FixtureSource = FixtureSource()) async throws -> TestPlatform {
        let test = try await TestPlatform.make(kind)
        let registry = SourceRegistry([source])
        let report = try await test.platform.run("fixture.items", in: registry)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        return test
    }

    func rows(_ test: TestPlatform, _ sql: String) async throws -> [ResultRow] {
        try await test.withWarehouse { try await $0.execute(sql) }
    }

    @Test(arguments: WarehouseKind.allCases)
    func pipelineEndsWithPublishedTestedMarts(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let report = try await test.platform.run("fixture.items", in: SourceRegistry([FixtureSource()]))
        #expect(report.succeeded, "\(report.error ?? "")")
        #expect(report.models?.built == 4)
        #expect(report.models?.testsPassed == 8)
        #expect(report.modelsPublished == true)
        #expect(try await rows(test, "SELECT count(*) AS n FROM marts.fct_items").first?["n"] == "60")
        #expect(try await rows(test, "SELECT count(*) AS n FROM marts.dim_item_name").first?["n"] == "60")
        let results = try JSONDecoder().decode(ModelResults.self, from: Data(contentsOf: URL(fileURLWithPath: test.platform.resultsFolder + "/run_results.json")))
        #expect(results.command == "build")
        #expect(results.results.count == 12)
        #expect(results.results.allSatisfy { $0.status == "success" })
        #expect(results.results.first { $0.name == "fct_items" }?.rowsAffected == 60)
        let perInvocation = try FileManager.default.contentsOfDirectory(atPath: test.platform.resultsFolder + "/run_results")
        #expect(perInvocation.count == 1)
    }

    @Test(arguments: WarehouseKind.allCases)
    func brokenModelKeepsThePublishedMartsAndSkipsItsDescendants(_ kind: WarehouseKind) async throws {
        let test = try await loaded(kind)
        let before = try await rows(test, "SELECT * FROM marts.fct_items ORDER BY id")
        let dimBefore = try await rows(test, "SELECT * FROM marts.dim_item_name ORDER BY name_sk")
        var broken = FixtureSource()
        broken.models = [StgFixtureItems.self, IntFixtureItemsEnriched.self, BrokenDimItemName.self, FctItems.self]
        for command in [ModelRunner.Command.build, .run] {
            let results = try await test.platform.models(command, in: SourceRegistry([broken]), select: "+fct_items")
            #expect(!results.succeeded)
            #expect(!results.published)
            let dim = try #require(results.results.first { $0.name == "dim_item_name" })
            #expect(dim.status == "error")
            #expect(dim.message?.contains("no_such_column") == true)
            #expect(dim.message?.contains("previous version is kept") == true)
            #expect(results.results.first { $0.name == "fct_items" }?.status == "skipped")
            #expect(try await rows(test, "SELECT * FROM marts.fct_items ORDER BY id") == before)
            #expect(try await rows(test, "SELECT * FROM marts.dim_item_name ORDER BY name_sk") == dimBefore)
        }
        // The whole run fails its gate with the broken model.
        let report = try await test.platform.run("fixture.items", in: SourceRegistry([broken]))
        #expect(report.status == "failed")
        #expect(report.gate?.failures.contains { $0.contains("models failed") } == true)
    }

    @Test(arguments: WarehouseKind.allCases)
    func failingTestStopsThePublishAndNamesTheTest(_ kind: WarehouseKind) async throws {
        let test = try await loaded(kind, source: FixtureSource(pages: itemPages(count: 60)))
        let dimBefore = try await rows(test, "SELECT * FROM marts.dim_item_name ORDER BY name_sk")
        // Two items share a name: a per-row dimension now has duplicate keys.
        let duplicatePage = #"{"results": [{"id": "I0", "name": "same"}, {"id": "I1", "name": "same"}]}"#
        var source = FixtureSource(pages: [duplicatePage])
        _ = try await test.platform.run("fixture.items", in: SourceRegistry([source]), options: RunOptions(steps: [.extract, .load]))
        source.models = [StgFixtureItems.self, IntFixtureItemsEnriched.self, DuplicatedDimItemName.self, FctItems.self]
        let results = try await test.platform.models(.build, in: SourceRegistry([source]), select: "+dim_item_name+")
        #expect(!results.published)
        let unique = try #require(results.results.first { $0.name == "unique_dim_item_name_name_sk" })
        #expect(unique.status == "fail")
        #expect(unique.failures == 1)
        #expect(unique.samples?.count == 1)
        #expect(unique.message?.contains("duplicate rows in a dimension") == true)
        #expect(results.message?.contains("test unique_dim_item_name_name_sk failed") == true)
        #expect(results.message?.contains("published models are unchanged") == true)
        #expect(try await rows(test, "SELECT * FROM marts.dim_item_name ORDER BY name_sk") == dimBefore)
    }

    @Test(arguments: WarehouseKind.allCases)
    func relationshipFailureSuggestsCoalescingAndWarningsDoNotBlock(_ kind: WarehouseKind) async throws {
        var source = FixtureSource()
        source.models += [FctItemsPartialDim.self, DimFirstNames.self, FctItemsWithWarning.self]
        let test = try await loaded(kind)
        let partial = try await test.platform.models(.build, in: SourceRegistry([source]), select: "fct_items_partial")
        let relationship = try #require(partial.results.first { $0.name.hasPrefix("relationships_fct_items_partial") })
        #expect(relationship.status == "fail")
        #expect(relationship.failures! > 0)
        #expect(relationship.samples!.count <= 5)
        #expect(relationship.message?.contains("coalesce to a default in the intermediate model") == true)
        #expect(!partial.published)
        await #expect(throws: (any Error).self, "a model whose audit failed is not published") {
            try await test.withWarehouse { try await $0.execute("SELECT count(*) FROM marts.fct_items_partial") }
        }

        let warned = try await test.platform.models(.build, in: SourceRegistry([source]), select: "fct_items_warned")
        #expect(warned.results.first { $0.name == "no_big_quantities" }?.status == "warn")
        #expect(warned.published, "a warn-severity failure does not block the publish")
        #expect(warned.summary.testsWarned == 1)
    }

    @Test(arguments: WarehouseKind.allCases)
    func incrementalModelAddsOnlyNewRows(_ kind: WarehouseKind) async throws {
        var source = FixtureSource()
        source.models = [StgFixtureItems.self, IntFixtureItemsHistory.self]
        let test = try await loaded(kind, source: source)
        #expect(try await rows(test, "SELECT count(*) AS n FROM intermediate.int_fixture__items_history").first?["n"] == "60")
        try await test.withWarehouse { warehouse in
            // A changed row keeps its old ingested_at (not new to the model); a new row is later.
            try await warehouse.execute("UPDATE fixture.items SET quantity = 999 WHERE id = 'I1'")
            try await warehouse.execute("INSERT INTO fixture.items (id, quantity, checksum_sha256, ingested_at) VALUES ('NEW', 7, 'c', '2999-01-01 00:00:00')")
        }
        let results = try await test.platform.models(.build, in: SourceRegistry([source]), select: "int_fixture__items_history")
        #expect(results.published, "\(results.text)")
        let history = try await rows(test, "SELECT id, quantity FROM intermediate.int_fixture__items_history ORDER BY id")
        #expect(history.count == 61)
        #expect(history.first { $0["id"] == "NEW" }?["quantity"] == "7")
        #expect(history.first { $0["id"] == "I1" }?["quantity"] == "1", "only new rows are read")
    }

    @Test(arguments: WarehouseKind.allCases)
    func portableHelpersGiveTheSameResultsOnBothWarehouses(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let d = kind == .postgres ? SQLDialect.postgres : .sqlite
        let date = kind == .postgres ? "cast('2025-03-01' as date)" : "'2025-03-01'"
        let sql = """
            SELECT \(Portable.hashedKey("'abc'").render(d)) AS k1,
                   \(Portable.hashedKey("cast(null as text)").render(d)) AS k_null,
                   \(Portable.hashedKey("'a'", "cast(null as text)", "'b'").render(d)) AS k3,
                   \(Portable.daysBetween(kind == .postgres ? "cast('2025-01-01' as date)" : "'2025-01-01'", date).render(d)) AS days,
                   \(Portable.blankToDefault("'  '").render(d)) AS blank,
                   \(Portable.blankToDefault("' x '").render(d)) AS kept,
                   \(Portable.safeCast("'12x'", as: .integer).render(d)) AS bad_int,
                   \(Portable.safeCast("' 42 '", as: .integer).render(d)) AS good_int,
                   \(Portable.safeCast("'1.5'", as: .numeric).render(d)) AS good_num,
                   \(Portable.safeCast("'1.5.5'", as: .numeric).render(d)) AS bad_num,
                   \(Portable.safeCast("'2025-02-30'", as: .date).render(d)) AS bad_date,
                   \(Portable.datePart(.isoDayOfWeek, date).render(d)) AS dow,
                   \(Portable.datePart(.year, date).render(d)) AS year
            """
        let row = try #require(try await test.withWarehouse { try await $0.execute(sql) }.first)
        #expect(row["k1"] == "900150983cd24fb0d6963f7d28e17f72")
        #expect(row["k_null"] == "68633484e25105c6d6f21d8b4698ba59")
        #expect(row["k3"] == "e924a6d457beb4ec65ffdd1eaf12a891")
        #expect(row["days"] == "59")
        #expect(row["blank"] == "Unknown")
        #expect(row["kept"] == "x")
        #expect(row["bad_int"] == nil)
        #expect(row["good_int"] == "42")
        #expect(row["good_num"] == "1.5")
        #expect(row["bad_num"] == nil)
        #expect(row["bad_date"] == nil)
        #expect(row["dow"] == "6", "2025-03-01 is a Saturday")
        #expect(row["year"] == "2025")
    }

    @Test func threadsGiveTheSameResultAsOne() async throws {
        let test = try await loaded(.postgres)
        let one = try await test.platform.models(.build, in: SourceRegistry([FixtureSource()]), select: nil, threads: 1)
        let four = try await test.platform.models(.build, in: SourceRegistry([FixtureSource()]), select: nil, threads: 4)
        #expect(one.published && four.published)
        #expect(one.summary == four.summary)
        #expect(Set(one.results.map(\.name)) == Set(four.results.map(\.name)))
    }
}
