import ArgumentParser

/// `ingestbench`: commands that print speed and memory figures (never asserted in tests).
@main
struct IngestBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingestbench",
        abstract: "Print IngestKit speed and memory figures. Build with -c release.",
        subcommands: [JSONBench.self])
}
