import ArgumentParser

/// `ingestbench`: benchmarks that print figures. Targets live here, never in timed unit tests.
@main
struct IngestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingestbench",
        abstract: "IngestKit benchmarks (see scripts/bench-load.sh).",
        subcommands: [LoadBenchmark.self])
}
