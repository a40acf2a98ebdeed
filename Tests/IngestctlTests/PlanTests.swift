import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 10 item 6: `ingestctl plan <source.dataset> [--apply]`, the built binary on both warehouses: the
/// difference between acme_portal.orders' config and its live table, before any run; `--apply` applies the
/// additive part only.
@Suite struct PlanTests {
    static func typeName(_ kind: WarehouseKind, _ type: ColumnType) -> String { SQLDialect(rawValue: kind.rawValue)!.typeName(type) }

    static func environment(_ kind: WarehouseKind) async throws -> [String: String] {
        try await Ingestctl.acmeDemoEnvironment(rows: 120, kind: kind)
    }

    /// A folder where `ingestctl run` loaded acme_portal.orders (extract and load only: no model view reads the
    /// table, as PostgreSQL refuses to drop a column a view reads), then `statements` changed the live table.
    static func loadedThenAltered(_ kind: WarehouseKind, _ statements: [String]) async throws -> (String, [String: String], TestPlatform) {
        let folder = try Ingestctl.workingDirectory("plan")
        let env = try await Self.environment(kind)
        let run = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "extract,load"], environment: env, in: folder)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let test = try TestPlatform.ofIngestctl(env, in: folder)
        try await test.withWarehouse { warehouse in
            for statement in statements { try await warehouse.execute(statement) }
        }
        return (folder, env, test)
    }

    static func indexes(_ test: TestPlatform) async throws -> Set<String> {
        let sql = test.kind == .postgres
            ? "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'acme_portal' AND tablename = 'orders'"
            : "SELECT name FROM acme_portal.sqlite_master WHERE type = 'index' AND tbl_name = 'orders'"
        return Set(try await test.withWarehouse { try await $0.execute(sql) }.compactMap { $0["name"] ?? nil })
    }

    static func columns(_ test: TestPlatform) async throws -> [String: String] {
        let existing = try await test.withWarehouse { try await $0.existingColumns(schema: "acme_portal", table: "orders") }
        return Dictionary(uniqueKeysWithValues: existing.map { ($0.name.lowercased(), $0.declaredType.lowercased()) })
    }

    /// Before the first run: the whole table is planned and nothing is created until `--apply`.
    @Test(arguments: WarehouseKind.allCases)
    func aMissingTableIsPlannedThenCreatedByApply(_ kind: WarehouseKind) async throws {
        let folder = try Ingestctl.workingDirectory("plan-new")
        let env = try await Self.environment(kind)
        let plan = try await Ingestctl.run(["plan", "acme_portal.orders"], environment: env, in: folder)
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("plan for acme_portal.orders: table acme_portal.orders on \(kind) (does not exist yet)"), "\(plan.stdout)")
        #expect(plan.stdout.contains("  + create table acme_portal.orders (11 columns, primary key (entity_id))"), "\(plan.stdout)")
        for column in ["status", "created_date", "customer_id"] {
            #expect(plan.stdout.contains("  + create index orders__\(column)__idx on \(column)"), "\(plan.stdout)")
        }
        #expect(plan.stdout.contains("  + create table acme_portal.orders__rejects (rejected items)"))
        let test = try TestPlatform.ofIngestctl(env, in: folder)
        #expect(try await Self.columns(test).isEmpty, "a plan changes nothing")

        let apply = try await Ingestctl.run(["plan", "acme_portal.orders", "--apply"], environment: env, in: folder)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("applied 5 additive change(s)"), "\(apply.stdout)")
        #expect(try await Self.columns(test).keys.sorted() == (try AcmePortalSource.orders.tableSchema()).columns.map(\.name).sorted())
        #expect(try await Self.indexes(test).isSuperset(of: ["orders__status__idx", "orders__created_date__idx", "orders__customer_id__idx"]))
        let again = try await Ingestctl.run(["plan", "acme_portal.orders"], environment: env, in: folder)
        #expect(again.status == 0 && again.stdout.contains("no changes: the table matches its config"), "\(again.stdout)")
    }

    /// A live table that lacks a column and an index of its config: both planned, nothing changed; `--apply`
    /// adds them with every row kept; the next run finds nothing to change.
    @Test(arguments: WarehouseKind.allCases)
    func anAddedColumnAndIndexArePlannedAndApplied(_ kind: WarehouseKind) async throws {
        // As if the table were made before the config gained `description` and the index on `status`.
        let (folder, env, test) = try await Self.loadedThenAltered(kind, [
            "ALTER TABLE acme_portal.orders DROP COLUMN description", "DROP INDEX acme_portal.orders__status__idx",
        ])
        let plan = try await Ingestctl.run(["plan", "acme_portal.orders", "--output", "json"], environment: env, in: folder)
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let additive = try #require(json["additive"] as? [[String: Any]])
        #expect(additive.map { $0["description"] as? String } == ["add column description \(Self.typeName(kind, .text))", "create index orders__status__idx on status"])
        #expect(additive.map { $0["kind"] as? String } == ["add_column", "create_index"])
        #expect((json["refused"] as? [Any])?.isEmpty == true && json["table_exists"] as? Bool == true)
        #expect(json["rows_to_rewrite"] as? Int == 120, "issue 20 item 4: the rows stored before the added column")
        #expect(try await Self.columns(test)["description"] == nil, "a plan changes nothing")

        let apply = try await Ingestctl.run(["plan", "acme_portal.orders", "--apply"], environment: env, in: folder)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("  + add column description \(Self.typeName(kind, .text))") && apply.stdout.contains("applied 2 additive change(s)"), "\(apply.stdout)")
        #expect(try await Self.columns(test)["description"] != nil)
        #expect(try await Self.indexes(test).contains("orders__status__idx"))
        let rows = try await test.withWarehouse { try await $0.execute("SELECT count(*) AS n FROM acme_portal.orders") }
        #expect(rows.first?["n"] == "120", "every row kept")
        #expect(try await Ingestctl.run(["plan", "acme_portal.orders"], environment: env, in: folder).stdout.contains("no changes"))
        #expect(apply.stdout.contains("  ~ the 120 row(s) stored before the added column(s) are marked for rewrite (checksums cleared)"), "\(apply.stdout)")
        let rerun = try await Ingestctl.run(["run", "acme_portal.orders"], environment: env, in: folder)
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        // Issue 20 item 4: the next run writes the added column into every row it meets, instead of leaving it NULL.
        #expect(rerun.stdout.contains("120 parsed, 0 inserted, 120 updated, 0 unchanged"), "\(rerun.stdout)")
        let filled = try await test.withWarehouse {
            try await $0.execute("SELECT count(*) AS n FROM acme_portal.orders WHERE description IS NOT NULL")
        }
        #expect(filled.first?["n"] == "120", "the added column is filled in every row")
    }

    /// A column whose type changed is refused with the migration (exit 1); `--apply` applies only the additive
    /// part (the missing index) and leaves the column as it is.
    @Test(arguments: WarehouseKind.allCases)
    func aChangedTypeIsRefusedWithTheMigrationAndApplyOnlyAdds(_ kind: WarehouseKind) async throws {
        let (folder, env, test) = try await Self.loadedThenAltered(kind, [
            "ALTER TABLE acme_portal.orders DROP COLUMN amount", "ALTER TABLE acme_portal.orders ADD COLUMN amount text",
            "DROP INDEX acme_portal.orders__customer_id__idx",
        ])
        let plan = try await Ingestctl.run(["plan", "acme_portal.orders"], environment: env, in: folder)
        #expect(plan.status == 1, "\(plan.stdout)\(plan.stderr)")
        let migration = kind == .postgres
            ? #"migration: ALTER TABLE "acme_portal"."orders" ALTER COLUMN "amount" TYPE numeric USING "amount"::numeric;"#
            : #"migration: ALTER TABLE "acme_portal"."orders" RENAME TO "acme_portal"."orders_old";"#
        #expect(plan.stdout.contains("  ! column amount is \(Self.typeName(kind, .text)) in the warehouse but \(Self.typeName(kind, .numeric)) in the config — refused; \(migration)"),
                "\(plan.stdout)")
        #expect(plan.stdout.contains("  + create index orders__customer_id__idx on customer_id"))
        #expect(plan.stdout.contains("1 change(s) refused: write the migration above"))

        let apply = try await Ingestctl.run(["plan", "acme_portal.orders", "--apply"], environment: env, in: folder)
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("applied 1 additive change(s)"), "\(apply.stdout)")
        #expect(try await Self.indexes(test).contains("orders__customer_id__idx"))
        #expect(try await Self.columns(test)["amount"] == "text", "a refused change is never applied")
        let after = try await Ingestctl.run(["plan", "acme_portal.orders"], environment: env, in: folder)
        #expect(after.status == 1 && !after.stdout.contains("  + "), "only the refused change is left: \(after.stdout)")
    }
}
