import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl freshness`: the age of each dataset's newest row against its declared thresholds.
struct FreshnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freshness",
        abstract: "Show how old each dataset's newest row is, against its warn and error thresholds.",
        discussion: """
            The column (default ingested_at) and the thresholds are declared beside the dataset
            (DatasetFreshness). Status: pass, warn, error, or unchecked (no threshold declared).
            Exit status 1 when any dataset is past its error threshold (or has no rows while one is declared).
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Datasets (source.dataset) or sources; all when omitted.")
    var datasets: [String] = []

    @Option(help: "text or json.")
    var output: Output = .text

    func run() async throws {
        let results: [FreshnessResult]
        do {
            let platform = try IngestCtl.platform()
            results = try await platform.freshness(datasets, in: registeredSources)
        } catch {
            throw fail(error)
        }
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        case .text:
            func hours(_ value: Double?) -> String { value.map { String(format: "%gh", $0) } ?? "-" }
            print(["dataset", "status", "column", "newest", "warn_after", "error_after", "message"].joined(separator: "\t"))
            for result in results {
                print([result.dataset, result.status.rawValue.uppercased(), result.column, result.newest ?? "-",
                       hours(result.warnAfterHours), hours(result.errorAfterHours), result.message].joined(separator: "\t"))
            }
        }
        if results.contains(where: { $0.status == .error }) { throw ExitCode(1) }
    }
}
