@testable import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// The generated DAGs in real Apache Airflow 3 (installed by scripts/test.sh): imported in a
/// `DagBag`, and run with `airflow dags test`, each task a separate `ingestctl` process.
/// Serialized: each test runs Airflow and several `ingestctl` processes on a shared machine.
@Suite(.serialized) struct AirflowTests {
    static let dagBagScript = """
        import json, os
        from airflow.dag_processing.dagbag import DagBag

        # Airflow 3.3's DagBag has no include_examples: AIRFLOW__CORE__LOAD_EXAMPLES=False keeps them out.
        bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
        out = {"errors": {path: str(error) for path, error in bag.import_errors.items()}, "dags": {}}
        for dag_id, dag in bag.dags.items():
            out["dags"][dag_id] = {
                "max_active_runs": dag.max_active_runs, "tags": sorted(dag.tags), "doc_md": dag.doc_md or "",
                "timetable": type(dag.timetable).__name__ + " " + str(getattr(dag.timetable, "expression", "")), "file": os.path.basename(dag.fileloc),
                "tasks": {task.task_id: {
                    "downstream": sorted(task.downstream_task_ids), "pool": task.pool, "retries": task.retries,
                    "backoff": float(task.retry_exponential_backoff), "retry_delay": task.retry_delay.total_seconds(),
                    "timeout": task.execution_timeout.total_seconds(), "command": task.bash_command,
                    "outlets": [outlet.name for outlet in task.outlets]} for task in dag.tasks},
            }
        print("DAGBAG " + json.dumps(out))
        """

    /// `ingestctl airflow dag …` into the home's DAGs folder.
    func generate(_ airflow: Airflow, _ arguments: [String], environment: [String: String] = [:]) async throws {
        let result = try await Ingestctl.run(["airflow", "dag"] + arguments + ["--out", airflow.dagsFolder], environment: environment, in: airflow.home)
        #expect(result.status == 0, "\(result.stderr)")
    }

    func dagBag(_ airflow: Airflow) async throws -> [String: Any] {
        let result = try await airflow.python(Self.dagBagScript)
        let line = try #require(result.output.split(separator: "\n").last { $0.hasPrefix("DAGBAG ") }, "\(result.output.suffix(3_000))")
        return try JSONSerialization.jsonObject(with: Data(line.dropFirst("DAGBAG ".count).utf8)) as! [String: Any]
    }

    /// The environment of the workers: the stores, the binary and the folder it runs in.
    func workerEnvironment(folder: String, extra: [String: String]) throws -> [String: String] {
        var env = ["INGESTCTL_BIN": try Ingestctl.binary(), "INGESTCTL_WORKDIR": folder, "INGEST_HOME": folder + "/.ingest"]
        env.merge(extra) { _, new in new }
        return env
    }

    func ledger(_ env: [String: String]) async throws -> [RunRecord] {
        let test = TestPlatform(kind: env["WAREHOUSE_URL"] == nil ? .sqlite : .postgres, home: env["INGEST_HOME"]!,
                                settings: Settings(values: env), platform: try Platform(settings: Settings(values: env)))
        return try await test.withWarehouse { try await RunLedger($0.dialect).recent(source: "acme_portal", dataset: "orders", limit: 100, in: $0) }
    }

    /// The commands Airflow's BashOperator ran, in order.
    func commands(_ output: String) -> [String] {
        output.split(separator: "\n").filter { $0.contains("Running command:") }.map(String.init)
    }

    @Test func everyGeneratedDAGImportsWithTheDatasetsDefaults() async throws {
        let airflow = try await Airflow.make()
        let secret = "sk-airflow-\(UUID().uuidString.prefix(8))"
        try await generate(airflow, ["--all"], environment: ["ACME_PORTAL_API_TOKEN": secret, "WAREHOUSE_URL": "postgres://u:\(secret)@127.0.0.1:1/db"])
        let files = try FileManager.default.contentsOfDirectory(atPath: airflow.dagsFolder).filter { $0.hasSuffix(".py") }.sorted()
        let expected = (registeredDatasets.map { $0.replacingOccurrences(of: ".", with: "_") + "_ingestion.py" } + ["ingestkit_setup.py"]).sorted()
        #expect(files == expected)
        for file in files {
            let text = try String(contentsOfFile: airflow.dagsFolder + "/" + file, encoding: .utf8)
            #expect(!text.contains(secret), "\(file) holds a secret")
        }

        let bag = try await dagBag(airflow)
        #expect((bag["errors"] as! [String: String]).isEmpty, "\(bag["errors"]!)")
        let dags = bag["dags"] as! [String: [String: Any]]
        #expect(Set(dags.keys) == Set(expected.map { String($0.dropLast(3)) }))
        let orders = try #require(dags["acme_portal_orders_ingestion"])
        #expect(orders["file"] as? String == "acme_portal_orders_ingestion.py")
        #expect(orders["max_active_runs"] as? Int == 1)
        #expect(orders["tags"] as? [String] == ["acme_portal", "ingestkit", "orders"])
        #expect((orders["doc_md"] as? String)?.contains("Orders from the Acme portal's REST API") == true)
        #expect(orders["timetable"] as? String == "CronDataIntervalTimetable 0 2 * * *", "\(orders["timetable"]!)")
        let tasks = orders["tasks"] as! [String: [String: Any]]
        let chain = ["preflight", "extract", "load", "models", "gate"]
        for (index, name) in chain.enumerated() {
            let task = try #require(tasks[name])
            #expect(task["downstream"] as? [String] == (index + 1 < chain.count ? [chain[index + 1]] : []))
            #expect(task["pool"] as? String == "acme_portal")
            #expect(task["retries"] as? Int == 3)
            #expect(task["backoff"] as? Double == 2)
            #expect(task["retry_delay"] as? Double == 60)
            #expect(task["timeout"] as? Double == 3600)
            let command = try #require(task["command"] as? String)
            #expect(command.contains("\"${INGESTCTL_BIN:-ingestctl}\" run acme_portal.orders --steps \(name) --run-id {{ ingest_run_id(dag.dag_id, run_id) }}"))
            #expect(task["outlets"] as? [String] == (name == "load" ? ["acme_portal.orders"] : []))
        }
        // Run once per deploy: `ingestctl setup` of the same datasets, one task, no schedule.
        let setup = try #require(dags["ingestkit_setup"])
        let setupTasks = setup["tasks"] as! [String: [String: Any]]
        #expect(Array(setupTasks.keys) == ["setup"])
        #expect((setupTasks["setup"]?["command"] as? String)?.hasSuffix("\"${INGESTCTL_BIN:-ingestctl}\" setup --all") == true, "\(setupTasks)")
        let talent = try #require(dags.first { $0.key.hasPrefix("talent_portal_") }?.value)
        #expect((talent["tasks"] as! [String: Any]).count == 5)
        #expect(((talent["tasks"] as! [String: [String: Any]])["extract"]?["pool"] as? String) == "talent_portal")

        // Flags override the dataset's defaults.
        try await generate(airflow, ["acme_portal.orders", "--schedule", "30 5 * * 1", "--retries", "1", "--pool", "acme_api"])
        let overridden = try #require((try await dagBag(airflow)["dags"] as! [String: [String: Any]])["acme_portal_orders_ingestion"])
        #expect(overridden["timetable"] as? String == "CronDataIntervalTimetable 30 5 * * 1")
        #expect(((overridden["tasks"] as! [String: [String: Any]])["load"]?["retries"] as? Int) == 1)
        #expect(((overridden["tasks"] as! [String: [String: Any]])["load"]?["pool"] as? String) == "acme_api")

        let bad = try await Ingestctl.run(["airflow", "dag", "acme_portal.orders", "--schedule", "daily", "--out", airflow.dagsFolder],
                                    environment: [:], in: airflow.home)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("schedule \"daily\" is not a five-field cron expression"))
    }

    var registeredDatasets: [String] {
        ["acme_portal.orders", "acme_portal.customers", "talent_portal.vacatures"]
            + ["amsterdam", "berlin", "dublin", "lisbon", "madrid", "milan", "oslo", "paris"].map { "acme_stores.\($0)" }
    }

    @Test func aDAGRunOnPostgresAndS3RunsEachStepAsItsOwnProcessAndLeavesOneRun() async throws {
        let airflow = try await Airflow.make()
        let folder = try Ingestctl.workingDirectory("airflow-worker")
        var stores = try TestS3.settings()
        stores["WAREHOUSE_URL"] = try await TestPlatform.freshDatabase()
        stores["ACME_PORTAL_DEMO_ROWS"] = "300"
        stores["ACME_PORTAL_DEMO_PORT"] = String(try await Ingestctl.freePort())
        let env = try workerEnvironment(folder: folder, extra: stores)
        try await generate(airflow, ["acme_portal.orders", "--schedule", "none"])

        let run = try await airflow.run(["dags", "test", "acme_portal_orders_ingestion", "2025-03-01"], environment: env)
        #expect(run.status == 0, "\(run.output.suffix(4_000))")
        #expect(run.output.contains("DagRun Finished: dag_id=acme_portal_orders_ingestion"))
        #expect(run.output.contains("state=success"), "\(run.output.suffix(4_000))")
        let commands = commands(run.output)
        #expect(commands.count == 5, "one process per step: \(commands)")
        for (command, step) in zip(commands, ["preflight", "extract", "load", "models", "gate"]) {
            #expect(command.contains("run acme_portal.orders --steps \(step) --run-id manual__"), "\(command)")
        }

        let runs = try await ledger(env)
        #expect(runs.count == 1, "one ledger row for the DAG run: \(runs.map(\.runId))")
        let row = try #require(runs.first)
        #expect(row.status == .succeeded)
        #expect(row.runId.hasPrefix("manual__"))
        #expect(row.steps.map(\.name) == ["preflight", "extract", "load", "models", "gate"])
        #expect(row.steps.allSatisfy { $0.status == "succeeded" })
        #expect(row.counts.artifacts == 3 && row.counts.parsed == 300 && row.counts.inserted == 300)
        #expect(row.models?.built == 8 && row.modelsPublished == true)
        let silver = try await PostgresWarehouse.connect(try WarehouseConfiguration.parsePostgres(env["WAREHOUSE_URL"]!))
        let orders = try await silver.execute("SELECT count(*) AS n, count(DISTINCT entity_id) AS keys FROM acme_portal.orders").first
        let marts = try await silver.execute("SELECT count(*) AS n FROM marts.fct_orders").first
        await silver.close()
        #expect(orders?["n"] == "300" && orders?["keys"] == "300")
        #expect(marts?["n"] == "300")
        let bronze = try Platform(settings: Settings(values: env)).bronzeStore()
        #expect(bronze.location.hasPrefix("s3://"))
        let keys = try await bronze.list(prefix: "bronze/acme_portal/dataset=orders/")
        #expect(keys.count == 4 && keys.allSatisfy { $0.contains("/run_id=\(row.runId)/") }, "\(keys)")
    }

    @Test func aLoadRefusedByTheWarehouseSucceedsOnAirflowsRetryWithTheSameRunId() async throws {
        let airflow = try await Airflow.make()
        let folder = try Ingestctl.workingDirectory("airflow-worker")
        let refusing = try ClosedPort()
        defer { withExtendedLifetime(refusing) {} }
        let closed = refusing.port
        // The worker's first load attempt finds the warehouse refusing connections.
        let wrapper = folder + "/ingestctl-first-load-refused"
        let script = """
            #!/bin/sh
            case " $* " in
              *" --steps load "*)
                if [ ! -f "$INGESTCTL_WORKDIR/refused-once" ]; then
                  touch "$INGESTCTL_WORKDIR/refused-once"
                  export WAREHOUSE_URL="postgres://ingest:refused@127.0.0.1:\(closed)/refused"
                fi ;;
            esac
            exec "\(try Ingestctl.binary())" "$@"
            """
        try Data(script.utf8).write(to: URL(fileURLWithPath: wrapper))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        var stores = try TestS3.settings()
        stores["WAREHOUSE_URL"] = try await TestPlatform.freshDatabase()
        stores["ACME_PORTAL_DEMO_ROWS"] = "200"
        stores["ACME_PORTAL_DEMO_PORT"] = String(try await Ingestctl.freePort())
        var env = try workerEnvironment(folder: folder, extra: stores)
        env["INGESTCTL_BIN"] = wrapper
        try await generate(airflow, ["acme_portal.orders", "--schedule", "none", "--retries", "2", "--retry-delay", "1"])

        let run = try await airflow.run(["dags", "test", "acme_portal_orders_ingestion", "2025-03-01"], environment: env)
        #expect(run.status == 0, "\(run.output.suffix(4_000))")
        #expect(run.output.contains("state=success"), "\(run.output.suffix(4_000))")
        #expect(FileManager.default.fileExists(atPath: folder + "/refused-once"))
        let loads = commands(run.output).filter { $0.contains("--steps load") }
        #expect(loads.count == 2, "the load ran twice: \(loads)")
        #expect(run.output.contains("up_for_retry"))
        #expect(run.output.contains("WAREHOUSE_URL"), "the first attempt's error names the variable")
        #expect(!run.output.contains("refused@"), "no password in the log")
        let stop = Set(" '\"]")
        let runIds = Set(commands(run.output).compactMap { command -> String? in
            guard let start = command.range(of: "--run-id ")?.upperBound else { return nil }
            return String(command[start...].prefix { !stop.contains($0) })
        })
        #expect(runIds.count == 1, "every task and retry used one run id: \(runIds)")

        let runs = try await ledger(env)
        #expect(runs.count == 1)
        #expect(runs.first?.status == .succeeded)
        #expect(runs.first?.counts.inserted == 200 && runs.first?.counts.parsed == 200)
        let silver = try await PostgresWarehouse.connect(try WarehouseConfiguration.parsePostgres(env["WAREHOUSE_URL"]!))
        let orders = try await silver.execute("SELECT count(*) AS n, count(DISTINCT entity_id) AS keys FROM acme_portal.orders").first
        await silver.close()
        #expect(orders?["n"] == "200" && orders?["keys"] == "200", "no duplicate")
    }

    @Test func aBackfillOverThreeLogicalDatesExtractsEachWeekOnce() async throws {
        let airflow = try await Airflow.make()
        let folder = try Ingestctl.workingDirectory("airflow-worker")
        let api = AcmeDemoAPI(orders: 600, token: "backfill-token")
        let seen = ReceivedRequests()
        let server = try await LoopbackHTTPServer.start { request in
            if request.query["page"] == "1" { await seen.add(request) }
            return api.respond(to: request, baseURL: request.baseURL)
        }
        let env = try workerEnvironment(folder: folder, extra: ["ACME_PORTAL_BASE_URL": server.baseURL, "ACME_PORTAL_API_TOKEN": "backfill-token"])
        // Weekly on Mondays: the run at logical date D covers the week before it.
        try await generate(airflow, ["acme_portal.orders", "--schedule", "0 0 * * 1"])
        let weeks = [("2025-01-06", "2025-01-13"), ("2025-01-13", "2025-01-20"), ("2025-01-20", "2025-01-27")]
        for (_, end) in weeks {
            let run = try await airflow.run(["dags", "test", "acme_portal_orders_ingestion", end], environment: env)
            #expect(run.status == 0 && run.output.contains("state=success"), "\(run.output.suffix(4_000))")
        }
        await server.stop()

        let windows = await seen.all.map { [$0.query["created_from"] ?? "", $0.query["created_to"] ?? ""] }
        #expect(windows == weeks.map { ["\($0.0)T00:00:00Z", "\($0.1)T00:00:00Z"] }, "each interval extracted once, in order")
        let runs = try await ledger(env).sorted { ($0.windowStart ?? "") < ($1.windowStart ?? "") }
        #expect(runs.count == 3)
        #expect(runs.allSatisfy { $0.status == .succeeded })
        #expect(runs.map { [$0.windowStart ?? "", $0.windowEnd ?? ""] } == windows)
        let expected = (0..<600).filter { index in api.createdAt(index).map { $0 >= "2025-01-06" && $0 < "2025-01-27" } ?? false }.count
        #expect(runs.map(\.counts.inserted).reduce(0, +) == expected)
        let platform = try Platform(settings: Settings(values: env))
        let warehouse = try await platform.openWarehouse()
        let silver = try await warehouse.execute("SELECT count(*) AS n FROM acme_portal.orders").first
        await warehouse.close()
        #expect(silver?["n"] == String(expected))
    }

    @Test func aModelsDAGIsQueuedOnceEverySilverTableItReadsWasLoaded() async throws {
        let airflow = try await Airflow.make()
        let folder = try Ingestctl.workingDirectory("airflow-worker")
        var env = try workerEnvironment(folder: folder, extra: ["ACME_PORTAL_DEMO_ROWS": "50",
                                                                "ACME_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort())])
        env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] = "False"
        try await generate(airflow, ["--models", "+fct_orders"])
        try await generate(airflow, ["acme_portal.orders", "acme_portal.customers", "--schedule", "none"])
        #expect(FileManager.default.fileExists(atPath: airflow.dagsFolder + "/models_fct_orders.py"))
        #expect(try await airflow.run(["dags", "reserialize"], environment: env).status == 0)
        let queueScript = """
            import os, sqlite3
            con = sqlite3.connect(os.path.join(os.environ["AIRFLOW_HOME"], "airflow.db"))
            rows = con.execute("select a.name from asset_dag_run_queue q join asset a on a.id = q.asset_id "
                               "where q.target_dag_id = 'models_fct_orders' order by a.name").fetchall()
            print("QUEUED " + ",".join(name for (name,) in rows))
            """
        func queued() async throws -> String {
            let output = try await airflow.python(queueScript, environment: env).output
            return output.split(separator: "\n").last { $0.hasPrefix("QUEUED ") }.map { String($0.dropFirst(7)) } ?? "?"
        }
        #expect(try await queued() == "")
        let orders = try await airflow.run(["dags", "test", "acme_portal_orders_ingestion", "2025-03-01"], environment: env)
        #expect(orders.output.contains("state=success"), "\(orders.output.suffix(3_000))")
        #expect(try await queued() == "acme_portal.orders", "waiting for customers")
        let customers = try await airflow.run(["dags", "test", "acme_portal_customers_ingestion", "2025-03-01"], environment: env)
        #expect(customers.output.contains("state=success"), "\(customers.output.suffix(3_000))")
        #expect(try await queued() == "acme_portal.customers,acme_portal.orders", "every input fresh: the scheduler runs the models DAG")

        let models = try await airflow.run(["dags", "test", "models_fct_orders", "2025-03-01"], environment: env)
        #expect(models.output.contains("state=success"), "\(models.output.suffix(3_000))")
        #expect(commands(models.output).first.map { $0.contains("models build --select") && $0.contains("+fct_orders") } == true)
        let warehouse = try await Platform(settings: Settings(values: env)).openWarehouse()
        let marts = try await warehouse.execute("SELECT count(*) AS n FROM marts.fct_orders").first
        await warehouse.close()
        #expect(marts?["n"] == "50")
    }
}
