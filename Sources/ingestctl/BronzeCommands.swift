import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl replay`: parse stored runs again without calling the source.
struct ReplayCommand: IngestCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Parse stored bronze runs again, in their original order, without calling the source.",
        discussion: """
            One new run (load → models → gate) with the usual upsert, recorded in staging.ingestion_state \
            with the runs it read (from_runs). With no selection: every complete run. A selection whose \
            runs were followed by later stored runs replays those too, in order (the whole suffix), unless \
            --force. Exit status 0 only when the success gate passes.
            """)

    @Argument(help: "The dataset, as source.dataset.")
    var dataset: String

    @Option(name: .customLong("run"), help: "A stored run to replay (repeatable).")
    var runs: [String] = []

    @Option(help: "Replay the complete runs ingested on or after this date (YYYY-MM-DD).")
    var since: String?

    @Option(help: "With --since: up to and including this date (YYYY-MM-DD).")
    var until: String?

    @Option(help: "Write the run report as JSON to this file.")
    var report: String?

    @Flag(help: "Replay only the selected runs, not the later runs stored after them (older values may replace newer ones).")
    var force = false

    func validate() throws {
        if !runs.isEmpty, since != nil || until != nil { throw ValidationError("give --run or --since/--until, not both") }
        if until != nil, since == nil { throw ValidationError("--until needs --since") }
    }

    static func day(_ text: String, _ flag: String) throws -> CalendarDate {
        guard let day = CalendarDate(iso: text), text.count == 10 else {
            throw IngestError("\(flag) \"\(text)\" is not a date", fix: "use YYYY-MM-DD, e.g. 2026-11-30")
        }
        return day
    }

    func execute() async throws {
        let platform = try Platform.commandLine()
        let selection: ReplaySelection
        if !runs.isEmpty {
            selection = .runs(runs)
        } else if let since {
            selection = .ingestDates(since: try Self.day(since, "--since"), until: try until.map { try Self.day($0, "--until") })
        } else {
            selection = .all
        }
        let result = try await platform.replay(dataset, in: registeredSources, selection: selection, force: force)
        if let report { try result.json().write(to: URL(fileURLWithPath: report)) }
        print(result.summary)
        if !result.succeeded { throw ExitCode(1) }
    }
}

/// `ingestctl bronze ls`: what bronze holds for a dataset.
struct BronzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bronze", abstract: "Look at the runs stored in bronze.", subcommands: [List.self])

    struct List: IngestCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List a dataset's stored runs (id, ingest date, artifacts, bytes, complete), or one run's artifacts with their provenance.")

        @Argument(help: "The dataset, as source.dataset.")
        var dataset: String

        @Option(name: .customLong("run"), help: "List this run's artifacts instead.")
        var runId: String?

        @Option(help: "Only the runs ingested on or after this date (YYYY-MM-DD); reads only those dates' partitions.")
        var since: String?

        @Option(help: "With --since: up to and including this date (YYYY-MM-DD).")
        var until: String?

        func validate() throws {
            if until != nil, since == nil { throw ValidationError("--until needs --since") }
            if runId != nil, since != nil { throw ValidationError("give --run or --since/--until, not both") }
        }

        @Option(help: "text or json.")
        var output: OutputFormat = .text

        func execute() async throws {
            let platform = try Platform.commandLine()
            if let runId {
                let (run, artifacts) = try await platform.bronzeRun(dataset, runId: runId, in: registeredSources)
                switch output {
                case .json:
                    struct Listing: Encodable { var run: BronzeRun; var artifacts: [Provenance] }
                    try printJSON(Listing(run: run, artifacts: artifacts))
                case .text:
                    print(ConsoleText.bronzeRun(run, artifacts: artifacts))
                }
                return
            }
            let runs = try await platform.bronzeRuns(dataset, in: registeredSources, since: try since.map { try ReplayCommand.day($0, "--since") },
                                                     until: try until.map { try ReplayCommand.day($0, "--until") })
            switch output {
            case .json: try printJSON(runs)
            case .text:
                if runs.isEmpty, let since {
                    // Bronze may hold runs of other dates: say which range was empty.
                    print("no runs of \(dataset) in bronze ingested on or after \(since)" + (until.map { " and up to \($0)" } ?? ""))
                } else {
                    print(ConsoleText.bronzeRuns(runs, dataset: dataset))
                }
            }
        }
    }
}
