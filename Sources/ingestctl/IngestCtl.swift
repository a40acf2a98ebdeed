import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl`: runs the registered sources. Every command is one call into IngestKit.
@main
struct IngestCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingestctl",
        abstract: "Run IngestKit sources: extract to bronze, load silver, record state.",
        discussion: """
            Configuration comes from the environment and a .env file in the working directory:
              INGEST_HOME     where the embedded default keeps its files (default: .ingest)
              WAREHOUSE_URL   postgres://user:pass@host:port/db (unset: SQLite in INGEST_HOME/warehouse)
              PUSHGATEWAY_URL push each run's metrics to this Prometheus Pushgateway
              OPENLINEAGE_URL / OPENLINEAGE_FILE  send OpenLineage run events (HTTP API / JSON lines)
            and each source's own variables (see `ingestctl env` and `ingestctl list`).
            """,
        subcommands: [ListCommand.self, EnvCommand.self, NewCommand.self, RunCommand.self, DDLCommand.self, StateCommand.self, ModelsCommand.self, ServeCommand.self,
                      FreshnessCommand.self, AirflowCommand.self, ReplayCommand.self, BronzeCommand.self, RejectsCommand.self,
                      DoctorCommand.self, PlanCommand.self, PruneCommand.self, SetupCommand.self, RecordCommand.self, FixturesCommand.self, CLIReferenceCommand.self])
}

struct ListCommand: IngestCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the registered sources, their datasets and variables.")

    func execute() async throws {
        for folder in SourceFolders.unregistered() {
            FileHandle.standardError.write(Data("Sources/Sources/\(folder) is not registered in this build: \(SourceFolders.fix)\n".utf8))
        }
        for source in registeredSources.sources.sorted(by: { $0.name < $1.name }) {
            print(source.name)
            for dataset in source.datasets {
                let table = (try? dataset.tableSchema()).map { "\($0.schema).\($0.table)" } ?? "invalid config"
                print("  \(dataset.qualifiedName)  → \(table)")
            }
            for variable in source.variables {
                print("  $\(variable.name)\(variable.isSecret ? " (secret)" : "")  \(variable.purpose)")
            }
        }
    }
}

struct RunCommand: IngestCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a dataset: preflight → extract → load → models → gate, and record the run.",
        discussion: """
            The models step builds the dataset's models and everything downstream (stg_<source>__<dataset>+), \
            tests them in shadow relations and publishes them when no error-severity test fails.
            Exit status: 0 when the success gate passes; 1 when the run failed (recorded in the ledger: a failed \
            step, a failed gate, or a variable the source needs that is not set); 2 when it could not start \
            (an unknown dataset, a config that does not validate, a warehouse that cannot be opened).
            """)

    @Argument(help: "The dataset, as source.dataset (e.g. acme_portal.orders).")
    var dataset: String

    @Option(help: "Steps to run, comma-separated: extract,load,models,gate (preflight always runs; without --run-id the gate does too).")
    var steps: StepList?

    @Option(name: .customLong("run-id"), help: "Run these steps as part of this run (one ledger row; the steps may run in separate processes).")
    var runId: String?

    @Option(name: .customLong("from-run"), help: "Parse and load the bronze of this earlier run instead of extracting.")
    var fromRun: String?

    @Option(name: .customLong("lookback-days"), help: "Days an incremental extract looks back (default: the dataset's).")
    var lookbackDays: Int?

    @Option(name: .customLong("window-start"), help: "Start of the interval to extract (ISO-8601, e.g. Airflow's data_interval_start); replaces the lookback and watermark.")
    var windowStart: String?

    @Option(name: .customLong("window-end"), help: "End of the interval to extract (ISO-8601, exclusive); give it with --window-start.")
    var windowEnd: String?

    @Option(help: "Write the run report as JSON to this file.")
    var report: String?

    @Flag(help: "With --steps extract --run-id R: extract R again although its load committed, replacing the bronze its silver rows were loaded from.")
    var force = false

    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("metrics-file"),
            help: "Write the run's metrics in the Prometheus text format to this file, atomically (for node_exporter's textfile collector).")
    var metricsFile: String?

    func validate() throws {
        try steps?.validate()
    }

    func execute() async throws {
        let style = output.style
        let platform = try Platform.commandLine(style)
        let selected = try steps?.parsed.get() ?? Set(RunStep.selectable)
        if let runId { try RunOptions.checkRunId(runId) }
        let window = try ExtractionWindow.parse(start: windowStart, end: windowEnd)
        var options = RunOptions(steps: selected, fromRun: fromRun, lookbackDays: lookbackDays, runId: runId, window: window)
        options.force = force
        let observer = RunObserver(platform: platform, registry: registeredSources, metricsFile: metricsFile)
        options.onStart = { report in
            for problem in await observer.started(report) { style.warn("warning: \(problem)") }
        }
        let result = try await platform.run(dataset, in: registeredSources, options: options)
        if let report {
            try result.json().write(to: URL(fileURLWithPath: report))
        }
        // With --quiet a failed run still says why: the pipeline logs its error.
        if !style.quiet { print(result.summary) }
        // The warehouse refused the run before any step: `error: failed to start: …` on stderr, exit status 2.
        if result.couldNotStart { throw IngestError(result.error ?? RunReport.failedToStart) }
        let problems = await observer.finished(result)
        for problem in problems { style.warn("\(problem.export == "metrics-file" ? "error" : "warning"): \(problem)") }
        if !result.succeeded { throw ExitCode(1) }
        if problems.contains(where: { $0.export == "metrics-file" }) { throw ExitCode(2) }
    }
}

struct DDLCommand: IngestCommand {
    static let configuration = CommandConfiguration(commandName: "ddl", abstract: "Print a dataset's DDL for a dialect.")

    @Argument(help: "The dataset, as source.dataset.")
    var dataset: String

    @Option(help: "postgres or sqlite.")
    var dialect: SQLDialect = .postgres

    func execute() async throws {
        let table = try registeredSources.dataset(dataset).tableSchema()
        print(DDL(dialect).script(for: table), terminator: "")
    }
}

struct StateCommand: IngestCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Show recent runs from staging.ingestion_state.")

    @Argument(help: "A dataset (source.dataset) or a source; all runs when omitted.")
    var dataset: String?

    @Option(help: "How many runs to show.")
    var limit: Int = 20

    func execute() async throws {
        let runs = try await Platform.commandLine().recentRuns(dataset, in: registeredSources, limit: limit)
        print(ConsoleText.runs(runs))
    }
}
