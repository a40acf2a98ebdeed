import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl rejects`: the items a dataset's runs did not load, with the reason and the raw item.
struct RejectsCommand: IngestCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejects",
        abstract: "List the items a dataset's runs rejected (from <schema>.<table>__rejects).",
        discussion: """
            One line per item: run id, artifact id, item index (from 1), reason and the raw item as JSON.
            Without --run: the latest rejects of the dataset, newest first.
            """)

    @Argument(help: "The dataset (source.dataset).")
    var dataset: String

    @Option(name: .customLong("run"), help: "Only the rejects of this run id.")
    var runId: String?

    @Option(help: "How many rejects to show at most.")
    var limit: Int = 1000

    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func execute() async throws {
        let rejects = try await Platform.commandLine().rejects(dataset, runId: runId, in: registeredSources, limit: limit)
        switch output {
        case .json: try printJSON(rejects)
        case .text: print(ConsoleText.rejects(rejects, dataset: dataset, runId: runId))
        }
    }
}
