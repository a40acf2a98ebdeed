import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl plan`: the difference between a dataset's config and its live table (IngestKit's `Platform.plan`).
struct PlanCommand: IngestCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show how a dataset's live table differs from its config; --apply applies the additive part.",
        discussion: """
            `+` lines are additive (the table, added columns, declared indexes, the __rejects table): the next run
            applies them, or --apply now, in one transaction. `!` lines are changed types or keys: refused, with the
            migration to write. Columns no longer in the config are kept. `~` lines: stored rows marked for rewrite
            when columns are added, and integer columns narrower than 64 bits (accepted; --apply runs the offered
            ALTER … TYPE bigint, a run never does). Exit status 1 when a change is refused.
            """)

    @Argument(help: "The dataset, as source.dataset (e.g. acme_portal.orders).")
    var dataset: String

    @Flag(help: "Apply the additive changes and the offered migrations (never a refused one).")
    var apply = false

    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func execute() async throws {
        let plan = try await Platform.commandLine().plan(dataset, in: registeredSources, apply: apply)
        switch output {
        case .json:
            try printJSON(plan)
        case .text:
            print(plan.text(applied: apply))
        }
        if !plan.refused.isEmpty { throw ExitCode(1) }
    }
}
