import ArgumentParser
import Foundation
import IngestKit
import Logging

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
            and each source's own variables (see `ingestctl list` and .env.example).
            """,
        subcommands: [List.self, EnvCommand.self, Run.self, DDLCommand.self, State.self, ModelsCommand.self, ServeCommand.self, FreshnessCommand.self,
                      AirflowCommand.self, ReplayCommand.self, BronzeCommand.self, RejectsCommand.self, DoctorCommand.self, PlanCommand.self])

    static func platform(_ output: OutputStyle = OutputStyle()) throws -> Platform {
        let settings = try Settings.load()
        let level = Logger.Level(rawValue: settings["INGEST_LOG_LEVEL"] ?? "warning") ?? .warning
        let json = output.logFormat == .json
        LoggingSystem.bootstrap { label in
            RedactingLogHandler(label: label, level: level, json: json)
        }
        let reporter = output.reporter
        var platform = try Platform(settings: settings, say: { line in reporter.say(line) })
        platform.progress = { progress in reporter.report(progress) }
        return platform
    }
}

/// Prints an error as one line (no stack trace, no secrets) and exits non-zero.
func fail(_ error: any Error) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error.redactedDescription)\n".utf8))
    return ExitCode(2)
}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the registered sources, their datasets and variables.")

    func run() async throws {
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

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a dataset: preflight → extract → load → gate, and record the run.",
        discussion: "Exit status 0 only when the success gate passes.")

    @Argument(help: "The dataset, as source.dataset (e.g. acme_portal.orders).")
    var dataset: String

    @Option(help: "Steps to run, comma-separated: extract,load,models,gate (preflight always runs; without --run-id the gate does too).")
    var steps: String?

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

    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("metrics-file"),
            help: "Write the run's metrics in the Prometheus text format to this file, atomically (for node_exporter's textfile collector).")
    var metricsFile: String?

    func run() async throws {
        do {
            let style = output.style
            let platform = try IngestCtl.platform(style)
            let selected = try steps.map(RunOptions.steps) ?? Set(RunStep.selectable)
            if let runId { try RunOptions.checkRunId(runId) }
            let window = try ExtractionWindow.parse(start: windowStart, end: windowEnd)
            var options = RunOptions(steps: selected, fromRun: fromRun, lookbackDays: lookbackDays, runId: runId, window: window)
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
            let problems = await observer.finished(result)
            for problem in problems { style.warn("\(problem.export == "metrics-file" ? "error" : "warning"): \(problem)") }
            if !result.succeeded { throw ExitCode(1) }
            if problems.contains(where: { $0.export == "metrics-file" }) { throw ExitCode(2) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }
}

struct DDLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ddl", abstract: "Print a dataset's DDL for a dialect.")

    @Argument(help: "The dataset, as source.dataset.")
    var dataset: String

    @Option(help: "postgres or sqlite.")
    var dialect: SQLDialect = .postgres

    func run() async throws {
        do {
            let table = try registeredSources.dataset(dataset).tableSchema()
            print(DDL(dialect).script(for: table), terminator: "")
        } catch {
            throw fail(error)
        }
    }
}

extension SQLDialect: ExpressibleByArgument {}

struct State: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show recent runs from staging.ingestion_state.")

    @Argument(help: "A dataset (source.dataset) or a source; all runs when omitted.")
    var dataset: String?

    @Option(help: "How many runs to show.")
    var limit: Int = 20

    func run() async throws {
        do {
            let platform = try IngestCtl.platform()
            let runs = try await platform.recentRuns(dataset, in: registeredSources, limit: limit)
            if runs.isEmpty {
                print("no runs recorded yet")
                return
            }
            print(["run_id", "dataset", "status", "started_at", "artifacts", "parsed", "inserted", "updated", "unchanged", "watermark", "error", "steps", "window"]
                .joined(separator: "\t"))
            for run in runs {
                print([run.runId, "\(run.source).\(run.dataset)", run.status.rawValue, run.startedAt, String(run.artifacts),
                       String(run.counts.parsed), String(run.counts.inserted), String(run.counts.updated),
                       String(run.counts.unchanged), run.watermark ?? "", run.errorMessage ?? "",
                       run.steps.map { "\($0.name):\($0.status)" }.joined(separator: ","),
                       run.windowStart.map { "\($0)/\(run.windowEnd ?? "")" } ?? ""].joined(separator: "\t"))
            }
        } catch {
            throw fail(error)
        }
    }
}
