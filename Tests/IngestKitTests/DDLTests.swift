import Foundation
import IngestKit
import IngestTestSupport
import Testing

struct ItemRowV2: Sendable {
    var id: String
    var name: String?
    var color: String?
    var amountText: String?
    var day: CalendarDate?
    var dayKey: CalendarDate
}

/// ItemsTable with one more column.
enum ItemsWithColor: SourceTableConfig {
    static let sourceName = "fixture"
    static let dataset = "items"
    static let columns: [Column<ItemRowV2>] = [
        Column("id", \.id, primaryKey: true), Column("name", \.name), Column("color", \.color, index: true),
        .bronzeObjectPath(), .checksum(), .ingestedAt(),
    ]
}

/// ItemsTable with `amount` turned into text.
enum ItemsWithTextAmount: SourceTableConfig {
    static let sourceName = "fixture"
    static let dataset = "items"
    static let columns: [Column<ItemRowV2>] = [
        Column("id", \.id, primaryKey: true), Column("amount", \.amountText), .checksum(), .ingestedAt(),
    ]
}

/// ItemsTable keyed on (id, day) instead of id.
enum ItemsWithOtherKey: SourceTableConfig {
    static let sourceName = "fixture"
    static let dataset = "items"
    static let columns: [Column<ItemRowV2>] = [
        Column("id", \.id, primaryKey: true), Column("day", \.dayKey, primaryKey: true), .checksum(), .ingestedAt(),
    ]
}

@Suite struct DDLTests {
    @Test(arguments: WarehouseKind.allCases)
    func ddlRunsForRealAndTwice(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        try await test.withWarehouse { warehouse in
            let table = try ItemsTable.tableSchema()
            try await SilverTables(warehouse: warehouse).ensure(table)
            try await SilverTables(warehouse: warehouse).ensure(table)
            for statement in DDL(warehouse.dialect).statements(for: table) { try await warehouse.execute(statement) }
            let columns = try await warehouse.existingColumns(schema: "fixture", table: "items")
            #expect(columns.map(\.name) == ItemsTable.columns.map(\.name))
            #expect(columns.filter(\.primaryKey).map(\.name) == ["id"])
            #expect(columns.map { warehouse.dialect.columnType(declared: $0.declaredType) } == table.columns.map(\.type))
            // ingested_at is filled by the database.
            try await warehouse.execute("INSERT INTO fixture.items (id, checksum_sha256) VALUES ('x', 'c')")
            let row = try await warehouse.execute("SELECT ingested_at FROM fixture.items WHERE id = 'x'")
            #expect(row.first?["ingested_at"]?.hasPrefix(String(CalendarDate(Date()).description.prefix(4))) == true)
            let indexSQL = kind == .postgres
                ? "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'fixture' AND tablename = 'items'"
                : "SELECT name FROM fixture.sqlite_master WHERE type = 'index' AND tbl_name = 'items'"
            let indexes = try await warehouse.execute(indexSQL).compactMap { $0["name"] ?? nil }
            #expect(indexes.contains("items__name__idx"))
        }
    }

    @Test(arguments: WarehouseKind.allCases)
    func addedColumnIsAddedOnTheNextRun(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        try await test.withWarehouse { warehouse in
            try await SilverTables(warehouse: warehouse).ensure(try ItemsTable.tableSchema())
            try await warehouse.execute("INSERT INTO fixture.items (id, checksum_sha256) VALUES ('kept', 'c')")
            try await SilverTables(warehouse: warehouse).ensure(try ItemsWithColor.tableSchema())
            let columns = try await warehouse.existingColumns(schema: "fixture", table: "items").map(\.name)
            #expect(columns.contains("color"))
            #expect(columns.contains("quantity"), "columns no longer in the config are kept")
            let rows = try await warehouse.execute("SELECT id, color FROM fixture.items")
            #expect(rows.count == 1 && rows[0]["id"] == "kept" && rows[0]["color"] == nil)
        }
    }

    @Test(arguments: WarehouseKind.allCases)
    func changedTypeOrKeyIsRefusedWithTheMigration(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        try await test.withWarehouse { warehouse in
            try await SilverTables(warehouse: warehouse).ensure(try ItemsTable.tableSchema())
            let typeError = await #expect(throws: IngestError.self) {
                try await SilverTables(warehouse: warehouse).ensure(try ItemsWithTextAmount.tableSchema())
            }
            let typeText = try #require(typeError).description
            #expect(typeText.contains("column amount is"))
            #expect(typeText.contains("migration: ALTER TABLE \"fixture\".\"items\""))
            let keyError = await #expect(throws: IngestError.self) {
                try await SilverTables(warehouse: warehouse).ensure(try ItemsWithOtherKey.tableSchema())
            }
            let keyText = try #require(keyError).description
            #expect(keyText.contains("the primary key is (id) in the warehouse but (id, day) in the config"), "\(keyText)")
            let columns = try await warehouse.existingColumns(schema: "fixture", table: "items")
            #expect(columns.map(\.name) == ItemsTable.columns.map(\.name), "nothing was changed")
        }
    }

    /// `TablePlan` (what `ingestctl plan` prints): added columns and indexes as additive changes, a changed key
    /// refused with its migration, columns no longer declared kept; reading it changes nothing.
    @Test(arguments: WarehouseKind.allCases)
    func planListsAdditiveAndRefusedChangesWithoutChangingAnything(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        try await test.withWarehouse { warehouse in
            try await SilverTables(warehouse: warehouse).ensure(try ItemsTable.tableSchema())
            let color = try await TablePlan.make(try ItemsWithColor.tableSchema(), in: warehouse)
            #expect(color.tableExists && color.refused.isEmpty)
            #expect(color.additive.map(\.kind) == [.addColumn, .createIndex, .createRejectsTable])
            #expect(color.additive.first?.description == "add column color \(warehouse.dialect.typeName(.text))")
            #expect(color.additive.dropFirst().first?.description == "create index items__color__idx on color")
            #expect(color.kept == ["amount", "day", "active", "quantity"], "\(color.kept)")
            #expect(try await warehouse.existingColumns(schema: "fixture", table: "items").map(\.name) == ItemsTable.columns.map(\.name),
                    "a plan changes nothing")

            let key = try await TablePlan.make(try ItemsWithOtherKey.tableSchema(), in: warehouse)
            #expect(key.refused.map(\.description) == ["the primary key is (id) in the warehouse but (id, day) in the config"])
            #expect(key.refused.first?.migration.contains("ALTER TABLE \"fixture\".\"items\"") == true)
            #expect(key.text.contains("  ! the primary key is (id) in the warehouse but (id, day) in the config — refused; migration: "))

            #expect(try await color.apply(in: warehouse) == 3)
            #expect(try await TablePlan.make(try ItemsWithColor.tableSchema(), in: warehouse).additive.isEmpty, "applied")
        }
    }

    @Test func printedDDLIsIdempotentAndQuoted() throws {
        let table = try ItemsTable.tableSchema()
        for dialect in SQLDialect.allCases {
            let script = DDL(dialect).script(for: table)
            #expect(script.contains("CREATE TABLE IF NOT EXISTS \"fixture\".\"items\""))
            #expect(script.contains("PRIMARY KEY (\"id\")"))
            #expect(script.contains("\"ingested_at\" \(dialect.typeName(.timestamp)) NOT NULL DEFAULT"))
            #expect(script.components(separatedBy: "CREATE INDEX IF NOT EXISTS").count == 2)
        }
        #expect(DDL(.postgres).script(for: table).contains("CREATE SCHEMA IF NOT EXISTS \"fixture\""))
        #expect(DDL(.postgres).script(for: table).contains("\"amount\" numeric"))
    }
}
