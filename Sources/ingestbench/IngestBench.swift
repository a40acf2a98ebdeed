import ArgumentParser

/// `ingestbench`: benchmarks that print speed and memory figures against a baseline measured
/// in the same run (never asserted in tests). Build with -c release.
@main
struct IngestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingestbench",
        abstract: "Print IngestKit speed and memory figures. Build with -c release (scripts/bench-*.sh do).",
        subcommands: [JSONBench.self, LoadBenchmark.self, ModelsBenchmark.self, ExtractBench.self, LedgerBenchmark.self])
}
