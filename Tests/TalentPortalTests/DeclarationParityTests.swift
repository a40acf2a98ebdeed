import Foundation
import IngestKit
import IngestTestSupport
import TalentPortal
import Testing

/// talent_portal.vacatures exactly as it was declared before the `Dataset` value.
enum LegacyVacaturesTable: SourceTableConfig {
    static let sourceName = "talent_portal"
    static let dataset = "vacatures"
    static let columns: [Column<VacatureRow>] = [
        Column("vacature_id", \.vacatureId, primaryKey: true),
        Column("vacature_number", \.vacatureNumber),
        Column("title", \.title),
        Column("client_name", \.clientName, index: true),
        Column("location", \.location),
        Column("hours_per_week", \.hoursPerWeek),
        Column("hourly_rate", \.hourlyRate),
        Column("publication_date", \.publicationDate, index: true),
        Column("closing_date", \.closingDate),
        Column("status", \.status, index: true),
        Column("source_url", \.sourceURL),
        .bronzeObjectPath(),
        .checksum(),
        .ingestedAt(),
    ]
}

/// The migration to the `Dataset` value changed no table (columns, types, keys, indexes, DDL), and
/// `ingestctl plan` finds nothing to do on the table the old declaration created.
@Suite struct DeclarationParityTests {
    @Test func theTableAndItsDDLAreUnchanged() throws {
        let legacy = try LegacyVacaturesTable.tableSchema()
        let current = try TalentPortalSource.vacatures.tableSchema()
        #expect(current == legacy)
        for dialect in [SQLDialect.sqlite, .postgres] {
            #expect(DDL(dialect).script(for: current) == DDL(dialect).script(for: legacy), "\(dialect)")
        }
        #expect(TalentPortalSource().datasets.map(\.qualifiedName) == ["talent_portal.vacatures"])
    }

    @Test(arguments: WarehouseKind.allCases)
    func planFindsNothingToChangeOnTheTableTheOldDeclarationCreated(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        try await test.withWarehouse { warehouse in
            // What a run of the old declaration created: the table, its indexes and its rejects table.
            let legacy = try LegacyVacaturesTable.tableSchema()
            try await SilverTables(warehouse: warehouse).ensure(legacy)
            for statement in RejectsTable(for: legacy, dialect: warehouse.dialect).createStatements { try await warehouse.execute(statement) }
            let plan = try await TablePlan.make(try TalentPortalSource.vacatures.tableSchema(), in: warehouse)
            #expect(plan.tableExists)
            #expect(plan.isEmpty, "\(plan.text)")
        }
    }
}
