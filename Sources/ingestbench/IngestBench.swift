import ArgumentParser

/// `ingestbench`: benchmarks that print figures and compare against a baseline measured in the same run.
@main
struct IngestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingestbench",
        abstract: "IngestKit benchmarks (run them in release: swift build -c release).",
        subcommands: [ModelsBenchmark.self])
}
