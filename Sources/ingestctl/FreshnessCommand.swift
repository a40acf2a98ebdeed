import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl freshness`: the age of each dataset's newest row against its declared thresholds.
struct FreshnessCommand: IngestCommand {
    static let configuration = CommandConfiguration(
        commandName: "freshness",
        abstract: "Show how old each dataset's newest row is, against its warn and error thresholds.",
        discussion: """
            The column (default ingested_at) and the thresholds are declared beside the dataset
            (DatasetFreshness). Status: pass, warn, error, or unchecked (no threshold declared).
            Exit status 1 when any dataset is past its error threshold (or has no rows while one is declared).
            """)

    @Argument(help: "Datasets (source.dataset) or sources; all when omitted.")
    var datasets: [String] = []

    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func execute() async throws {
        let results = try await Platform.commandLine().freshness(datasets, in: registeredSources)
        switch output {
        case .json: try printJSON(results)
        case .text: print(ConsoleText.freshness(results))
        }
        if results.contains(where: { $0.status == .error }) { throw ExitCode(1) }
    }
}
