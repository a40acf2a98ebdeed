import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// `ingestctl` as a user runs it: a separate process, its output, its exit status.
@Suite struct IngestctlTests {
    /// Typed options are checked before anything runs: an unknown step takes the one error path
    /// (`error: …` naming the choices, exit status 2); an unknown output format is a usage error.
    @Test func typedOptionsAreRefusedBeforeAnythingRuns() async throws {
        let folder = try Ingestctl.workingDirectory()
        let steps = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "extract,publish"], environment: [:], in: folder)
        #expect(steps.status == 2, "\(steps.stderr)")
        #expect(steps.stderr.contains("error: unknown step \"publish\""), "\(steps.stderr)")
        #expect(steps.stderr.contains("choose among extract, load, models, gate"), "\(steps.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/.ingest"), "nothing was touched")
        let output = try await Ingestctl.run(["models", "ls", "--output", "yaml"], environment: [:], in: folder)
        #expect(output.status != 0)
        #expect(output.stderr.contains("yaml"), "\(output.stderr)")
    }

    @Test(arguments: WarehouseKind.allCases)
    func runReportsAndNeverLeaksTheToken(_ kind: WarehouseKind) async throws {
        let token = "tok-\(UUID().uuidString)"
        let folder = try Ingestctl.workingDirectory()
        var env = ["ACME_PORTAL_API_TOKEN": token, "ACME_PORTAL_DEMO_ROWS": "250", "INGEST_LOG_LEVEL": "trace",
                   "ACME_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort())]
        if kind == .postgres { env["WAREHOUSE_URL"] = try await TestPlatform.freshDatabase() }
        let run = try await Ingestctl.run(["run", "acme_portal.orders", "--report", "report.json"], environment: env, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("built-in demo API"))
        #expect(run.stdout.contains("250 parsed, 250 inserted, 0 updated, 0 unchanged"))
        #expect(run.stdout.contains("gate: passed"))

        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))) as! [String: Any]
        for key in ["run_id", "source", "dataset", "status", "counts", "steps", "error"] { #expect(report.keys.contains(key), "report has \(key)") }
        #expect(report["status"] as? String == "succeeded")
        let counts = report["counts"] as! [String: Int]
        #expect(counts["artifacts"] == 3 && counts["parsed"] == 250 && counts["inserted"] == 250 && counts["bytes"]! > 0)
        let steps = report["steps"] as! [[String: Any]]
        #expect(steps.map { $0["name"] as? String } == ["preflight", "extract", "load", "models", "gate"])
        let models = report["models"] as! [String: Int]
        #expect(models["built"] == 8 && models["failed"] == 0 && models["tests_failed"] == 0 && models["tests_passed"]! > 0)

        let rerun = try await Ingestctl.run(["run", "acme_portal.orders"], environment: env, in: folder)
        #expect(rerun.stdout.contains("0 inserted, 0 updated, 250 unchanged"))
        let state = try await Ingestctl.run(["state", "acme_portal.orders"], environment: env, in: folder)
        #expect(state.status == 0)
        #expect(state.stdout.split(separator: "\n").count == 3)

        // The token is in no output, report, bronze object, bronze metadata, manifest or state row.
        for output in [run.stdout, run.stderr, rerun.stdout, rerun.stderr, state.stdout] {
            #expect(!output.contains(token))
        }
        let files = FileManager.default.enumerator(atPath: folder)!.compactMap { $0 as? String }
        #expect(files.contains { $0.hasSuffix(".meta.json") })
        #expect(files.contains { $0.hasSuffix("_manifest.json") })
        for file in files {
            if let data = FileManager.default.contents(atPath: folder + "/" + file) {
                #expect(!String(decoding: data, as: UTF8.self).contains(token), "\(file) holds the token")
            }
        }
        if kind == .postgres {
            let test = TestPlatform(kind: kind, home: folder, settings: Settings(values: env), platform: try Platform(settings: Settings(values: env)))
            let rows = try await test.withWarehouse { try await $0.execute("SELECT * FROM staging.ingestion_state") }
            #expect(rows.count == 2)
            #expect(!rows.description.contains(token))
        }
    }

    @Test(arguments: WarehouseKind.allCases)
    func failingModelTestExitsNonZeroAndKeepsThePublishedMarts(_ kind: WarehouseKind) async throws {
        let folder = try Ingestctl.workingDirectory()
        var env = ["ACME_PORTAL_DEMO_ROWS": "300", "ACME_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort())]
        if kind == .postgres { env["WAREHOUSE_URL"] = try await TestPlatform.freshDatabase() }
        #expect(try await Ingestctl.run(["run", "acme_portal.orders"], environment: env, in: folder).status == 0)
        env["INGEST_HOME"] = folder + "/.ingest"
        let test = TestPlatform(kind: kind, home: folder, settings: Settings(values: env), platform: try Platform(settings: Settings(values: env)))
        let before = try await test.withWarehouse { try await $0.execute("SELECT * FROM marts.fct_orders ORDER BY order_id") }
        #expect(before.count == 300)
        // A status outside the accepted values reaches silver: the audit must stop the publish.
        _ = try await test.withWarehouse {
            try await $0.execute("UPDATE acme_portal.orders SET status = 'exploded' WHERE entity_id = 'ORD-000001'")
        }
        let build = try await Ingestctl.run(["models", "build", "--select", "+fct_orders"], environment: env, in: folder)
        #expect(build.status == 1)
        #expect(build.stdout.contains("FAIL    test accepted_values_int_acme_portal__orders_enriched_status_clean"))
        #expect(build.stdout.contains("e.g. n_records=1, status_clean=exploded"))
        #expect(build.stdout.contains("NOT published"))
        let after = try await test.withWarehouse { try await $0.execute("SELECT * FROM marts.fct_orders ORDER BY order_id") }
        #expect(after == before, "the published marts are as they were")
        let results = try String(contentsOfFile: folder + "/.ingest/target/run_results.json", encoding: .utf8)
        #expect(results.contains("\"status\" : \"fail\""))
        let lineage = try await Ingestctl.run(["models", "lineage", "--select", "+fct_orders"], environment: env, in: folder)
        #expect(lineage.stdout.contains("dim_customer --> fct_orders"))
        let manifest = try await Ingestctl.run(["models", "ls", "--output", "json"], environment: env, in: folder)
        #expect(try JSONSerialization.jsonObject(with: Data(manifest.stdout.utf8)) is [String: Any])
        let nothing = try await Ingestctl.run(["models", "run", "--select", "tag:nope"], environment: env, in: folder)
        #expect(nothing.status != 0)
        #expect(nothing.stderr.contains("matches no model"))
        #expect(nothing.stderr.contains("use a tag a model has: acme_portal, acme_stores, customers, orders"), "the fix lists the tags there are")
        let misspelt = try await Ingestctl.run(["models", "build", "--select", "fct_order+"], environment: env, in: folder)
        #expect(misspelt.status != 0)
        #expect(misspelt.stderr.contains("selector \"fct_order+\" matches no model"))
        #expect(misspelt.stderr.contains("did you mean fct_orders?"), "\(misspelt.stderr)")
    }

    /// The exit statuses Docs/CLI.md and `run --help` give: 1 for a run that failed (a missing variable is
    /// found by the recorded run), 2 for one that could not start.
    @Test func aMissingVariableFailsTheRunWithStatusOneAndAnUnknownDatasetTwo() async throws {
        let folder = try Ingestctl.workingDirectory()
        let missing = try await Ingestctl.run(["run", "acme_portal.orders"], environment: ["ACME_PORTAL_BASE_URL": "http://127.0.0.1:9"], in: folder)
        #expect(missing.status == 1, "\(missing.stderr)")
        #expect((missing.stdout + missing.stderr).contains("ACME_PORTAL_API_TOKEN is not set"))
        let unknown = try await Ingestctl.run(["run", "acme_portal.nope"], environment: [:], in: folder)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("source acme_portal has no dataset \"nope\""))
        let help = try await Ingestctl.run(["run", "--help"], environment: [:], in: folder)
        #expect(help.stdout.contains("preflight → extract → load → models → gate"))
    }

    @Test func gateFailureExitsNonZero() async throws {
        let folder = try Ingestctl.workingDirectory()
        let env = ["ACME_PORTAL_DEMO_ROWS": "0", "ACME_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort())]
        let run = try await Ingestctl.run(["run", "acme_portal.orders"], environment: env, in: folder)
        #expect(run.status == 1)
        #expect(run.stdout.contains("FAILED"))
        #expect(run.stdout.contains("0 records parsed"))
    }

    @Test func badConfigurationIsOneLineNamingTheVariable() async throws {
        let folder = try Ingestctl.workingDirectory()
        let unreachable = try await Ingestctl.run(["run", "acme_portal.orders"],
                                             environment: ["WAREHOUSE_URL": "postgres://me:hunter2-secret@127.0.0.1:1/db"], in: folder)
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.contains("WAREHOUSE_URL"))
        #expect(!unreachable.stderr.contains("hunter2-secret"))
        #expect(unreachable.stderr.split(separator: "\n").count == 1, "\(unreachable.stderr)")

        let malformed = try await Ingestctl.run(["state"], environment: ["WAREHOUSE_URL": "mysql://x"], in: folder)
        #expect(malformed.status != 0)
        #expect(malformed.stderr.hasPrefix("error: WAREHOUSE_URL is not a postgres:// URL"))

        let unknown = try await Ingestctl.run(["run", "nope.orders"], environment: [:], in: folder)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("source \"nope\" is not registered"))
    }

    @Test func ddlAndListPrintTheRegisteredDatasets() async throws {
        let folder = try Ingestctl.workingDirectory()
        let postgres = try await Ingestctl.run(["ddl", "acme_portal.orders", "--dialect", "postgres"], environment: [:], in: folder)
        #expect(postgres.stdout.contains("CREATE TABLE IF NOT EXISTS \"acme_portal\".\"orders\""))
        #expect(postgres.stdout.contains("\"amount\" numeric"))
        let sqlite = try await Ingestctl.run(["ddl", "acme_portal.customers", "--dialect", "sqlite"], environment: [:], in: folder)
        #expect(sqlite.stdout.contains("\"acme_portal\".\"customers\""))
        let list = try await Ingestctl.run(["list"], environment: [:], in: folder)
        #expect(list.stdout.contains("acme_portal.orders"))
        #expect(list.stdout.contains("acme_portal.customers"))
        #expect(list.stdout.contains("ACME_PORTAL_API_TOKEN (secret)"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/.ingest"), "ddl and list touch no store")
    }
}
