import ArgumentParser
import Foundation
import IngestCommon
import IngestKit

/// `ingestctl prune`: deletes old ledger rows, rejects and bronze partitions (a dry run unless `--apply`).
struct PruneCommand: IngestCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete ledger rows, rejects and bronze partitions older than --keep-days (a dry run with counts unless --apply).",
        discussion: """
            Without --ledger, --rejects or --bronze: all three. Ledger rows of runs that finished before the cutoff go, \
            but each dataset keeps its latest succeeded run, its latest one with a watermark and its latest succeeded \
            window (what the next run reads); the runs counted by `ingest_runs_total` (staging.ingestion_totals) stay counted. \
            Rejects rejected before the cutoff go. Bronze `ingest_date=` partitions of dates before the cutoff's date go: \
            their runs can no longer be replayed (`ingestctl replay`).
            """)

    @Argument(help: "Datasets, as source.dataset (default: every registered dataset).")
    var datasets: [String] = []

    @Option(name: .customLong("keep-days"), help: "Keep what is newer than this many days.")
    var keepDays: Int

    @Flag(help: "Prune the ledger (staging.ingestion_state).")
    var ledger = false

    @Flag(help: "Prune the rejects (<schema>.<table>__rejects).")
    var rejects = false

    @Flag(help: "Prune bronze (whole ingest_date= partitions).")
    var bronze = false

    @Flag(help: "Delete; without it, only count what would be deleted.")
    var apply = false

    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func execute() async throws {
        var parts = Set<PrunePart>()
        if ledger { parts.insert(.ledger) }
        if rejects { parts.insert(.rejects) }
        if bronze { parts.insert(.bronze) }
        if parts.isEmpty { parts = Set(PrunePart.allCases) }
        let result = try await Platform.commandLine().prune(datasets, in: registeredSources, keepDays: keepDays, parts: parts, apply: apply)
        switch output {
        case .json: try printJSON(result)
        case .text: print(ConsoleText.prune(result))
        }
    }
}
