import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl setup`: creates or migrates the warehouse's tables once per deploy (IngestKit's `Platform.setup`).
struct SetupCommand: IngestCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Create or migrate the ledger, schemas, tables and indexes once per deploy, so runs only read the catalog.",
        discussion: """
            Creates what is missing (the ledger, on PostgreSQL the dataset leases and model publishes, and per dataset its \
            schema, silver table, added columns, indexes and __rejects table) and leaves the rest untouched; changed types \
            or keys are refused with the migration to write (see `ingestctl plan`). Safe to run from several processes at \
            once. Prints one line per table: `<table>: ready`, with `(N DDL statements ran)` when PostgreSQL lacked something.
            """)

    @Argument(help: "Datasets, as source.dataset.")
    var datasets: [String] = []

    @Flag(help: "Every registered dataset.")
    var all = false

    func validate() throws {
        if all == !datasets.isEmpty {
            throw ValidationError("name datasets (source.dataset …) or pass --all: one of the two")
        }
    }

    func execute() async throws {
        for step in try await Platform.commandLine().setup(datasets, all: all, in: registeredSources) {
            print("\(step.name): ready" + (step.statements == 0 ? "" : " (\(step.statements) DDL statements ran)"))
        }
    }
}
