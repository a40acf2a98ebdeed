import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// acme_portal's tables exactly as they were declared before the `Dataset` value (a
/// `SourceTableConfig` each, the source name repeated, the platform columns written out).
enum LegacyOrdersTable: SourceTableConfig {
    static let sourceName = "acme_portal"
    static let dataset = "orders"
    static let columns: [Column<OrderRow>] = [
        Column("entity_id", \.entityId, primaryKey: true),
        Column("title", \.title),
        Column("status", \.status, index: true),
        Column("created_date", \.createdDate, index: true),
        Column("amount", \.amount),
        Column("description", \.description),
        Column("source_url", \.sourceURL),
        Column("customer_id", \.customerId, index: true),
        .bronzeObjectPath(),
        .checksum(),
        .ingestedAt(),
    ]
}

enum LegacyCustomersTable: SourceTableConfig {
    static let sourceName = "acme_portal"
    static let dataset = "customers"
    static let columns: [Column<CustomerRow>] = [
        Column("entity_id", \.entityId, primaryKey: true),
        Column("name", \.name),
        Column("email", \.email),
        Column("city", \.city, index: true),
        Column("zip", \.zip),
        Column("source_url", \.sourceURL),
        .bronzeObjectPath(),
        .checksum(),
        .ingestedAt(),
    ]
}

/// The migration to the `Dataset` value changed no table: the same names, columns, types, keys and
/// indexes (the same DDL on both dialects), and `ingestctl plan` finds nothing to do on tables the
/// old declarations created, on SQLite and PostgreSQL.
@Suite struct DeclarationParityTests {
    static let pairs: [(legacy: TableSchema, current: Dataset)] = [
        (try! LegacyOrdersTable.tableSchema(), AcmePortalSource.orders),
        (try! LegacyCustomersTable.tableSchema(), AcmePortalSource.customers),
    ]

    @Test func theTablesAndTheirDDLAreUnchanged() throws {
        for (legacy, dataset) in Self.pairs {
            let current = try dataset.tableSchema()
            #expect(current == legacy, "\(dataset.qualifiedName)")
            #expect(current.columns.map(\.name).suffix(3) == ["bronze_object_path", "checksum_sha256", "ingested_at"])
            for dialect in [SQLDialect.sqlite, .postgres] {
                #expect(DDL(dialect).script(for: current) == DDL(dialect).script(for: legacy), "\(dataset.qualifiedName) on \(dialect)")
            }
        }
        #expect(AcmePortalSource().datasets.map(\.qualifiedName) == ["acme_portal.orders", "acme_portal.customers"])
    }

    @Test(arguments: WarehouseKind.allCases)
    func planFindsNothingToChangeOnTablesTheOldDeclarationsCreated(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        try await test.withWarehouse { warehouse in
            for (legacy, dataset) in Self.pairs {
                // What a run of the old declaration created: the table, its indexes and its rejects table.
                try await SilverTables(warehouse: warehouse).ensure(legacy)
                for statement in RejectsTable(for: legacy, dialect: warehouse.dialect).createStatements { try await warehouse.execute(statement) }
                let plan = try await TablePlan.make(try dataset.tableSchema(), in: warehouse)
                #expect(plan.tableExists)
                #expect(plan.isEmpty, "\(plan.text)")
            }
        }
    }
}
