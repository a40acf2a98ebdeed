import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 20 item 4: a column preflight adds to a table that has rows (here dropped by hand, as a new config
/// column would be) is filled: the rows stored before are marked for rewrite, so the next run writes it for
/// the keys it loads and a replay for every stored run's; `plan` says so.
@Suite struct AddedColumnTests {
    static func page(_ items: [(id: String, amount: String)]) -> String {
        #"{"results": ["# + items.map { #"{"id": "\#($0.id)", "name": "item \#($0.id)", "amount": "\#($0.amount)"}"# }.joined(separator: ",") + "]}"
    }

    @Test(arguments: WarehouseKind.allCases)
    func aReAddedColumnIsWrittenByTheNextRunAndByAReplay(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let table = try ItemsDataset.make(pages: []).tableSchema()
        let first = try await test.run(ItemsDataset.make(pages: [Self.page([("A", "1.50"), ("B", "2.50"), ("C", "3.50")])]))
        #expect(first.succeeded && first.counts.inserted == 3, "\(first.error ?? "")")
        _ = try await test.withWarehouse { try await $0.execute("ALTER TABLE fixture.items DROP COLUMN amount") }

        let plan = try await test.withWarehouse { try await TablePlan.make(table, in: $0) }
        #expect(plan.additive.map(\.kind) == [.addColumn], "\(plan.text)")
        #expect(plan.text.contains("  ~ the 3 row(s) stored before the added column(s) are marked for rewrite (checksums cleared): "
                                   + "the next run writes the new column(s) for the keys it loads, `ingestctl replay fixture.items` for every stored run's"),
                "\(plan.text)")
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(plan)) as? [String: Any]
        #expect(json?["rows_to_rewrite"] as? Int == 3)

        // The next run meets A only (the source now serves one item): A gets its amount, B and C wait for a replay.
        let next = try await test.run(ItemsDataset.make(pages: [Self.page([("A", "1.50")])]))
        #expect(next.succeeded, "\(next.error ?? "")")
        #expect(next.counts.updated == 1 && next.counts.unchanged == 0, "\(next.counts)")
        #expect(next.notices.contains { $0.contains("column(s) amount added to fixture.items: the rows stored before are marked for rewrite") },
                "\(next.notices)")
        var rows = try await test.fixtureItems()
        #expect(rows["A"]?["amount"] == "1.5")
        #expect(rows["B"]?["amount"] == nil && rows["C"]?["amount"] == nil)

        let replay = try await test.run(ItemsDataset.make(pages: []), options: RunOptions(replay: [first.runId]))
        #expect(replay.succeeded, "\(replay.error ?? "")")
        #expect(replay.counts.updated == 2 && replay.counts.unchanged == 1, "A was rewritten by the run before: \(replay.counts)")
        rows = try await test.fixtureItems()
        #expect(rows["B"]?["amount"] == "2.5" && rows["C"]?["amount"] == "3.5")

        // Once written, nothing is left to rewrite: the same items again change nothing.
        let again = try await test.run(ItemsDataset.make(pages: [Self.page([("A", "1.50"), ("B", "2.50"), ("C", "3.50")])]))
        #expect(again.counts.unchanged == 3 && again.counts.updated == 0, "\(again.counts)")
        let after = try await test.withWarehouse { try await TablePlan.make(table, in: $0) }
        #expect(after.isEmpty && after.rowsToRewrite == 0, "\(after.text)")
    }
}
