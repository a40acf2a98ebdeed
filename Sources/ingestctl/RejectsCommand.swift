import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl rejects`: the items a dataset's runs did not load, with the reason and the raw item.
struct RejectsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejects",
        abstract: "List the items a dataset's runs rejected (from <schema>.<table>__rejects).",
        discussion: """
            One line per item: run id, artifact id, item index (from 1), reason and the raw item as JSON.
            Without --run: the latest rejects of the dataset, newest first.
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "The dataset (source.dataset).")
    var dataset: String

    @Option(name: .customLong("run"), help: "Only the rejects of this run id.")
    var runId: String?

    @Option(help: "How many rejects to show at most.")
    var limit: Int = 1000

    @Option(help: "text or json.")
    var output: Output = .text

    func run() async throws {
        let rejects: [RejectRecord]
        do {
            rejects = try await IngestCtl.platform().rejects(dataset, runId: runId, in: registeredSources, limit: limit)
        } catch {
            throw fail(error)
        }
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(rejects), as: UTF8.self))
        case .text:
            if rejects.isEmpty {
                print("no rejected items" + (runId.map { " in run \($0)" } ?? "") + " for \(dataset)")
                return
            }
            print(["run_id", "artifact_id", "item_index", "reason", "raw_item"].joined(separator: "\t"))
            for reject in rejects {
                print([reject.runId, reject.artifactId, String(reject.itemIndex), VisibleText.escaped(reject.reason),
                       reject.rawItem.map { VisibleText.escaped($0) } ?? "-"].joined(separator: "\t"))
            }
        }
    }
}
