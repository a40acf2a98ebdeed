import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl plan`: the difference between a dataset's config and its live table (IngestKit's `Platform.plan`).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show how a dataset's live table differs from its config; --apply applies the additive part.",
        discussion: """
            `+` lines are additive (the table, added columns, declared indexes, the __rejects table): the next run
            applies them, or --apply now, in one transaction. `!` lines are changed types or keys: refused, with the
            migration to write. Columns no longer in the config are kept. Exit status 1 when a change is refused.
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "The dataset, as source.dataset (e.g. acme_portal.orders).")
    var dataset: String

    @Flag(help: "Apply the additive changes (never a refused one).")
    var apply = false

    @Option(help: "text or json.")
    var output: Output = .text

    func run() async throws {
        let plan: TablePlan
        do {
            plan = try await IngestCtl.platform().plan(dataset, in: registeredSources, apply: apply)
        } catch {
            throw fail(error)
        }
        switch output {
        case .json:
            try JSONOutput.print(plan)
        case .text:
            print(plan.text(applied: apply))
        }
        if !plan.refused.isEmpty { throw ExitCode(1) }
    }
}
