import Foundation
import IngestCommon

/// What `ingestctl setup` did to one relation group: its name and the DDL statements it ran (none: it was ready).
package struct SetupStep: Sendable, Codable, Hashable {
    package var name: String
    package var statements: Int
}

extension Platform {
    /// `ingestctl setup [<source.dataset>… | --all]`: creates or migrates, once per deploy, what runs need: the ledger
    /// (`staging.ingestion_state`), on PostgreSQL the dataset leases (`staging.dataset_leases`) and model publishes
    /// (`staging.model_publishes`), and per dataset its schema, silver table (added columns), indexes and
    /// `__rejects` table. What is already there is read, not written; changed types or keys are refused as a run
    /// refuses them. Safe to run from several processes at once (PostgreSQL: under `pg_advisory_xact_lock`).
    ///
    /// - Parameter names: datasets as `source.dataset`; empty with `all`: every registered dataset.
    /// - Returns: one step per relation group, in order, with how many statements ran.
    package func setup(_ names: [String], all: Bool, in registry: SourceRegistry) async throws -> [SetupStep] {
        let datasets = all ? registry.datasets : try names.map { try registry.dataset($0) }
        let tables = try datasets.map { try $0.tableSchema() }  // every config validates before anything is written
        return try await withWarehouse { warehouse in
            var steps: [SetupStep] = []
            let ledger = RunLedger(warehouse.dialect)
            steps.append(SetupStep(name: "\(RunLedger.schema).\(RunLedger.table)", statements: try await ledger.prepare(in: warehouse).count))
            if warehouse.dialect == .postgres {
                let leases = try await warehouse.ensureCatalog((PostgresDatasetLease.schema, PostgresDatasetLease.table), PostgresDatasetLease.createStatements)
                steps.append(SetupStep(name: "\(PostgresDatasetLease.schema).\(PostgresDatasetLease.table)", statements: leases.count))
                let publishes = try await warehouse.ensureCatalog((ModelPublishes.schema, ModelPublishes.table), ModelPublishes.createStatements(.postgres))
                steps.append(SetupStep(name: "\(ModelPublishes.schema).\(ModelPublishes.table)", statements: publishes.count))
            }
            for table in tables {
                var count = try await SilverTables(warehouse: warehouse).ensure(table).count
                let rejects = RejectsTable(for: table, dialect: warehouse.dialect)
                count += try await warehouse.ensureCatalog((rejects.schema, rejects.table), rejects.createStatements).count
                steps.append(SetupStep(name: "\(table.schema).\(table.table)", statements: count))
            }
            return steps
        }
    }
}
