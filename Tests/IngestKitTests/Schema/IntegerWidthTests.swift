import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 20 item 7: a config's `integer` is 64-bit on both warehouses (`bigint` on PostgreSQL); a table made
/// before, with an `integer` (int4) column, is accepted, `plan` offers the widening migration (never applied),
/// and a load meeting a value past the column's range fails naming the column, the value and the migration.
@Suite struct IntegerWidthTests {
    static let big: Int64 = 5_000_000_000

    static func page(_ quantities: [(String, Int64)]) -> String {
        #"{"results": ["# + quantities.map { #"{"id": "\#($0.0)", "name": "item \#($0.0)", "quantity": \#($0.1)}"# }.joined(separator: ",") + "]}"
    }

    static func quantityType(_ test: TestPlatform) async throws -> String? {
        try await test.withWarehouse { try await $0.existingColumns(schema: "fixture", table: "items") }
            .first { $0.name == "quantity" }?.declaredType.lowercased()
    }

    @Test(arguments: WarehouseKind.allCases)
    func anIntegerColumnHolds64BitValues(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let report = try await test.run(ItemsDataset.make(pages: [Self.page([("A", Self.big), ("B", -Self.big), ("C", Int64.max)])]))
        #expect(report.succeeded, "\(report.error ?? "")")
        #expect(report.counts.inserted == 3)
        #expect(try await Self.quantityType(test) == (kind == .postgres ? "bigint" : "integer"))
        let rows = try await test.fixtureItems()
        #expect(rows["A"]?["quantity"] == "5000000000" && rows["B"]?["quantity"] == "-5000000000")
        #expect(rows["C"]?["quantity"] == String(Int64.max))
        let plan = try await test.withWarehouse { try await TablePlan.make(try ItemsDataset.make(pages: []).tableSchema(), in: $0) }
        #expect(plan.isEmpty && plan.text.contains("no changes"), "\(plan.text)")
        #expect(!plan.text.contains("offered"), "\(plan.text)")
    }

    /// A PostgreSQL table whose `quantity` is `integer` (as every table made before this change): runs within
    /// its range go on; `plan` accepts it and offers `ALTER … TYPE bigint`; a value past it fails the load naming
    /// the column, the value and the migration, and silver keeps what it held; after the migration, `--from-run`
    /// loads the same bronze. On SQLite an integer column is 64-bit already: nothing is offered, the value loads.
    @Test(arguments: WarehouseKind.allCases)
    func aNarrowIntegerColumnIsAcceptedAndAValuePastItFailsNamingTheMigration(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let table = try ItemsDataset.make(pages: []).tableSchema()
        let first = try await test.run(ItemsDataset.make(pages: [Self.page([("A", 7), ("B", 2_147_483_647)])]))
        #expect(first.succeeded, "\(first.error ?? "")")
        let migration = #"ALTER TABLE "fixture"."items" ALTER COLUMN "quantity" TYPE bigint USING "quantity"::bigint;"#
        if kind == .postgres {
            _ = try await test.withWarehouse { try await $0.execute("ALTER TABLE fixture.items ALTER COLUMN quantity TYPE integer") }
            #expect(try await Self.quantityType(test) == "integer")
        }

        let plan = try await test.withWarehouse { try await TablePlan.make(table, in: $0) }
        #expect(plan.refused.isEmpty, "an integer column is accepted: \(plan.text)")
        if kind == .postgres {
            #expect(plan.text.contains("  ~ column quantity is integer in the warehouse (values from -2147483648 to 2147483647); the config's integer is 64-bit: "
                                       + "a load that meets a value past that range fails; offered migration: \(migration)"), "\(plan.text)")
            #expect(plan.text.contains("1 migration(s) offered: `ingestctl plan fixture.items --apply` runs them"), "\(plan.text)")
            let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(plan)) as? [String: Any]
            let offered = try #require(json?["offered"] as? [[String: Any]])
            #expect(offered.first?["migration"] as? String == migration && offered.first?["column"] as? String == "quantity")
        } else {
            #expect(plan.isEmpty && !plan.text.contains("offered"), "\(plan.text)")
        }

        // Within the range: the run goes on, and leaves the column as it is (a run never widens it).
        let within = try await test.run(ItemsDataset.make(pages: [Self.page([("A", 8), ("B", 2_147_483_647)])]))
        #expect(within.succeeded, "\(within.error ?? "")")
        #expect(within.counts.updated == 1)
        #expect(try await Self.quantityType(test) == "integer", "SQLite's INTEGER is 64-bit; PostgreSQL's stays int4 until the migration")

        let past = try await test.run(ItemsDataset.make(pages: [Self.page([("A", 9), ("C", Self.big)])]))
        if kind == .postgres {
            #expect(!past.succeeded)
            let error = past.error ?? ""
            #expect(error.contains("the row with id=C has 5000000000 in column quantity of fixture.items, which is integer in the warehouse "
                                   + "(values from -2147483648 to 2147483647); nothing was loaded"), "\(error)")
            #expect(error.contains("artifact page_1 of run \(past.runId)"), "\(error)")
            #expect(error.contains("`ingestctl plan fixture.items --apply` runs it): " + migration) && error.contains("--from-run \(past.runId)"),
                    "\(error)")
            let rows = try await test.fixtureItems()
            #expect(rows["A"]?["quantity"] == "8" && rows["C"] == nil, "silver keeps what it held")

            // `plan --apply` runs the offered migration.
            let applied = try await test.withWarehouse { try await TablePlan.make(table, in: $0).apply(in: $0) }
            #expect(applied == 1)
            #expect(try await test.withWarehouse { try await TablePlan.make(table, in: $0) }.text.contains("no changes"))
            let reload = try await test.run(ItemsDataset.make(pages: []), options: RunOptions(fromRun: past.runId))
            #expect(reload.succeeded, "\(reload.error ?? "")")
            #expect(try await Self.quantityType(test) == "bigint")
        } else {
            #expect(past.succeeded, "\(past.error ?? "")")
        }
        #expect(try await test.fixtureItems()["C"]?["quantity"] == "5000000000")
    }
}
