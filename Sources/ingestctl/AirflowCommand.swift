import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl airflow dag`: Airflow 3 DAG files for the registered datasets.
struct AirflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "airflow", abstract: "Generate Airflow DAGs that run datasets step by step on any worker.",
        subcommands: [DAG.self])

    struct DAG: IngestCommand {
        static let configuration = CommandConfiguration(
            commandName: "dag",
            abstract: "Write <source>_<dataset>_ingestion.py per dataset (preflight → extract → load → models → gate) and ingestkit_setup.py.",
            discussion: """
                Each task runs `$INGESTCTL_BIN run <source.dataset> --steps <step> --run-id <id>` (INGESTCTL_BIN \
                defaults to ingestctl on PATH; INGESTCTL_WORKDIR, when set, is the folder it runs in). Stores and \
                secrets come from the worker's environment; the file holds none. Defaults come from each dataset's \
                `orchestration`; the options below override them. ingestkit_setup.py runs `ingestctl setup` of the same \
                datasets: trigger it once per deploy. See Docs/Airflow.md.
                """)

        @Argument(help: "Datasets, as source.dataset.")
        var datasets: [String] = []

        @Flag(help: "Every registered dataset.")
        var all = false

        @Option(help: "Instead: a DAG that builds the models this selector picks, scheduled on the Assets of the silver tables they read.")
        var models: String?

        @Option(help: "Folder to write the files into.")
        var out = "dags"

        @Option(help: "Cron schedule (UTC, five fields), or none to run only when triggered (default: the dataset's).")
        var schedule: String?

        @Option(help: "Retries of a failed task (default: the dataset's).")
        var retries: Int?

        @Option(name: .customLong("retry-delay"), help: "Seconds before a task's first retry; it doubles with each retry (default: the dataset's).")
        var retryDelay: Int?

        @Option(help: "Airflow pool of the tasks (default: the dataset's, else one pool per source).")
        var pool: String?

        func validate() throws {
            if [all, !datasets.isEmpty, models != nil].filter({ $0 }).count != 1 {
                throw ValidationError("name datasets (source.dataset …), or pass --all, or --models SELECTOR: one of the three")
            }
        }

        func execute() async throws {
            if let models {
                var orchestration = Orchestration()
                if let retries { orchestration.retries = retries }
                if let retryDelay { orchestration.retryDelaySeconds = retryDelay }
                let dag = try AirflowModelsDAG(graph: try registeredSources.modelGraph(), selector: models, orchestration: orchestration)
                print(try dag.write(to: out))
                return
            }
            let chosen = all ? registeredSources.datasets : try datasets.map { try registeredSources.dataset($0) }
            // Run once per deploy: it creates the tables, so the DAGs' preflights only read the catalog.
            print(try AirflowSetupDAG(datasets: all ? [] : chosen.map(\.qualifiedName)).write(to: out))
            for dataset in chosen {
                var orchestration = dataset.orchestration
                if let schedule { orchestration.schedule = schedule }
                if let retries { orchestration.retries = retries }
                if let pool { orchestration.pool = pool }
                if let retryDelay { orchestration.retryDelaySeconds = retryDelay }
                let dag = try AirflowDAG(dataset: dataset, orchestration: orchestration)
                print(try dag.write(to: out))
            }
        }
    }
}
