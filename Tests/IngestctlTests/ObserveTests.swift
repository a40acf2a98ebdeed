import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 9: a run's metrics (file, Pushgateway, `ingestctl serve` scraped by Prometheus) and its
/// OpenLineage events, read back by the real peers scripts/test.sh starts on loopback.
///
/// Serialized, with the freshness and console suites nested in it: each test starts `ingestctl`
/// processes, and a dozen at once on two shared cores starved the HTTP toolkit tests' per-attempt timeouts.
@Suite(.serialized) struct ObserveTests {
    /// An acme_portal demo with `rows` orders and a token that must never leak.
    static func environment(_ kind: WarehouseKind, rows: Int, token: String) async throws -> [String: String] {
        try await Ingestctl.acmeDemoEnvironment(rows: rows, kind: kind, ["ACME_PORTAL_API_TOKEN": token])
    }

    static let orders = ["source": "acme_portal", "dataset": "orders"]

    @Test(arguments: WarehouseKind.allCases)
    func metricsFileHoldsTheRunsFiguresAndTheLedgerTotals(_ kind: WarehouseKind) async throws {
        let token = "tok-\(UUID().uuidString)"
        let folder = try Ingestctl.workingDirectory("metrics")
        try FileManager.default.createDirectory(atPath: folder + "/textfile", withIntermediateDirectories: true)
        var env = try await Self.environment(kind, rows: 250, token: token)
        let before = Date().timeIntervalSince1970.rounded(.down)
        let run = try await Ingestctl.run(["run", "acme_portal.orders", "--metrics-file", "textfile/ingest.prom"], environment: env, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let file = folder + "/textfile/ingest.prom"
        let first = Monitoring.samples(try String(contentsOfFile: file, encoding: .utf8))
        let o = Self.orders
        #expect(first.value("ingest_last_run_rows_parsed", o) == 250)
        #expect(first.value("ingest_last_run_rows_inserted", o) == 250)
        #expect(first.value("ingest_last_run_rows_updated", o) == 0)
        #expect(first.value("ingest_last_run_rows_unchanged", o) == 0)
        #expect(first.value("ingest_last_run_rows_duplicates", o) == 0)
        #expect(first.value("ingest_last_run_rows_rejected", o) == 0)
        #expect(first.value("ingest_last_run_artifacts", o) == 3)
        #expect((first.value("ingest_last_run_bytes", o) ?? 0) > 0)
        #expect(first.value("ingest_last_run_models_built", o) == 8)
        #expect(first.value("ingest_last_run_models_failed", o) == 0)
        #expect(first.value("ingest_last_run_tests_failed", o) == 0)
        #expect(first.value("ingest_last_run_gate_passed", o) == 1)
        #expect(first.value("ingest_last_run_succeeded", o) == 1)
        #expect(first.value("ingest_runs_total", o.merging(["status": "succeeded"]) { $1 }) == 1)
        #expect(first.value("ingest_runs_total", o.merging(["status": "failed"]) { $1 }) == 0)
        let lastSuccess = try #require(first.value("ingest_last_success_timestamp_seconds", o))
        #expect(lastSuccess >= before && lastSuccess <= Date().timeIntervalSince1970 + 1)
        for step in ["preflight", "extract", "load", "models", "gate"] {
            #expect(first.value("ingest_step_duration_seconds_count", o.merging(["step": step]) { $1 }) == 1, "step \(step)")
        }
        // The +Inf bucket holds every observation of the histogram.
        #expect(first.value("ingest_step_duration_seconds_bucket", o.merging(["step": "load", "le": "+Inf"]) { $1 }) == 1)

        // A failing run (nothing to load) replaces the file: the ledger totals count both runs,
        // and the last success keeps the first run's time.
        env["ACME_PORTAL_DEMO_ROWS"] = "0"
        let failed = try await Ingestctl.run(["run", "acme_portal.orders", "--metrics-file", "textfile/ingest.prom"], environment: env, in: folder)
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        let second = Monitoring.samples(try String(contentsOfFile: file, encoding: .utf8))
        #expect(second.value("ingest_last_run_succeeded", o) == 0)
        #expect(second.value("ingest_last_run_gate_passed", o) == 0)
        #expect(second.value("ingest_last_run_rows_parsed", o) == 0)
        #expect(second.value("ingest_runs_total", o.merging(["status": "succeeded"]) { $1 }) == 1)
        #expect(second.value("ingest_runs_total", o.merging(["status": "failed"]) { $1 }) == 1)
        #expect(second.value("ingest_last_success_timestamp_seconds", o) == lastSuccess)

        // Written atomically: the folder holds the file and no temporary leftovers; no secret in it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/textfile") == ["ingest.prom"])
        #expect(!(try String(contentsOfFile: file, encoding: .utf8)).contains(token))
    }

    @Test func metricsFileInAMissingFolderIsAnErrorNamingIt() async throws {
        let folder = try Ingestctl.workingDirectory("metrics")
        let env = try await Self.environment(.sqlite, rows: 20, token: "tok-\(UUID().uuidString)")
        let run = try await Ingestctl.run(["run", "acme_portal.orders", "--metrics-file", "missing/ingest.prom"], environment: env, in: folder)
        #expect(run.status == 2)
        #expect(run.stdout.contains("SUCCEEDED"), "the run itself is done and recorded")
        #expect(run.stderr.contains("cannot write the metrics file missing/ingest.prom"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/missing"))
    }

    @Test func pushgatewayReceivesTheRunAndExposesItAgain() async throws {
        let gateway = try Monitoring.pushgatewayURL()
        let token = "tok-\(UUID().uuidString)"
        let folder = try Ingestctl.workingDirectory("push")
        var env = try await Self.environment(.sqlite, rows: 137, token: token)
        env["PUSHGATEWAY_URL"] = gateway
        let run = try await Ingestctl.run(["run", "acme_portal.orders"], environment: env, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("warning"), "\(run.stderr)")

        // The push ended before ingestctl exited: the gateway shows it under the grouping key.
        let (status, body) = try await Monitoring.get(gateway + "/metrics")
        #expect(status == 200)
        let group = Self.orders.merging(["job": "ingestkit"]) { $1 }
        let samples = Monitoring.samples(body)
        #expect(samples.value("ingest_last_run_rows_parsed", group) == 137)
        #expect(samples.value("ingest_last_run_rows_inserted", group) == 137)
        #expect(samples.value("ingest_last_run_gate_passed", group) == 1)
        #expect(samples.value("ingest_step_duration_seconds_count", group.merging(["step": "load"]) { $1 }) == 1)
        #expect((samples.value("push_time_seconds", group) ?? 0) > 0, "the gateway records the push of this group")
        #expect(samples.value("push_failure_time_seconds", group) == 0)
        #expect(!body.contains(token))
    }

    @Test(arguments: WarehouseKind.allCases)
    func prometheusScrapesServeAndAnswersTheRowCount(_ kind: WarehouseKind) async throws {
        let prometheus = try Monitoring.prometheusURL()
        let targets = try Monitoring.prometheusTargets()
        let token = "tok-\(UUID().uuidString)"
        let folder = try Ingestctl.workingDirectory("serve")
        let rows = kind == .sqlite ? 173 : 191
        let env = try await Self.environment(kind, rows: rows, token: token)
        let run = try await Ingestctl.run(["run", "acme_portal.orders"], environment: env, in: folder)
        #expect(run.status == 0, "\(run.stderr)")

        let port = try await Ingestctl.freePort()
        let serve = try Ingestctl.process(["serve", "--port", String(port)], environment: env, in: folder)
        let log = folder + "/serve.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        serve.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try serve.run()
        defer { serve.terminate(); serve.waitUntilExit() }
        let base = "http://127.0.0.1:\(port)"
        _ = try await Monitoring.waitFor("ingestctl serve to answer /healthz") {
            try await Monitoring.get(base + "/healthz").status == 200 ? true : nil
        }
        let exposed = try await Monitoring.get(base + "/metrics")
        #expect(exposed.status == 200)
        #expect(Monitoring.samples(exposed.body).value("ingest_last_run_rows_parsed", Self.orders) == Double(rows))
        #expect(Monitoring.samples(exposed.body).value("ingest_runs_total", Self.orders.merging(["status": "succeeded"]) { $1 }) == 1)
        #expect(!exposed.body.contains(token))

        // Prometheus discovers this server through a file_sd target labelled with this test's id.
        let testId = UUID().uuidString
        let target = targets + "/\(testId).json"
        let json = #"[{"targets": ["127.0.0.1:\#(port)"], "labels": {"test_id": "\#(testId)"}}]"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: target + ".tmp"))
        try FileManager.default.moveItem(atPath: target + ".tmp", toPath: target)
        defer { try? FileManager.default.removeItem(atPath: target) }

        let query = #"ingest_last_run_rows_parsed{source="acme_portal",dataset="orders",test_id="\#(testId)"}"#
        let url = prometheus + "/api/v1/query?query=" + query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let value = try await Monitoring.waitFor("Prometheus to answer \(query)") { () -> String? in
            let answer = try await Monitoring.get(url)
            guard answer.status == 200,
                  let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
                  object["status"] as? String == "success",
                  let data = object["data"] as? [String: Any],
                  let result = data["result"] as? [[String: Any]], let first = result.first,
                  let sample = first["value"] as? [Any], sample.count == 2 else { return nil }
            return sample[1] as? String
        }
        #expect(value == String(rows))
    }

    /// START then COMPLETE or FAIL for each run, each checked by openlineage-python.
    @Test func openLineageEventsReachAnHTTPServerAndPassTheClientLibrarysChecks() async throws {
        let received = ReceivedRequests()
        let server = try await LoopbackHTTPServer.start { request in
            await received.add(request)
            return .json("{}", status: 201)
        }
        defer { Task { await server.stop() } }
        let token = "tok-\(UUID().uuidString)"
        let folder = try Ingestctl.workingDirectory("lineage")
        var env = try await Self.environment(.sqlite, rows: 120, token: token)
        env["OPENLINEAGE_URL"] = server.baseURL
        let run = try await Ingestctl.run(["run", "acme_portal.orders"], environment: env, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        // A run that fails: the load step without an extract and without --from-run has no bronze.
        let failed = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "load"], environment: env, in: folder)
        #expect(failed.status == 1)

        let requests = await received.all
        #expect(requests.map(\.method) == ["POST", "POST", "POST", "POST"])
        #expect(requests.allSatisfy { $0.path == "/api/v1/lineage" && $0.header("Content-Type") == "application/json" })
        let events = try requests.map { try JSONSerialization.jsonObject(with: $0.body) as! [String: Any] }
        #expect(events.map { $0["eventType"] as? String } == ["START", "COMPLETE", "START", "FAIL"])
        for event in events {
            let job = event["job"] as! [String: Any]
            #expect(job["namespace"] as? String == "ingestkit" && job["name"] as? String == "acme_portal.orders")
        }
        let runIds = events.map { ($0["run"] as! [String: Any])["runId"] as! String }
        #expect(runIds[0] == runIds[1] && runIds[2] == runIds[3] && runIds[0] != runIds[2])

        let complete = events[1]
        let inputs = complete["inputs"] as! [[String: Any]]
        #expect(inputs.count == 1 && inputs[0]["namespace"] as? String == "file")
        #expect((inputs[0]["name"] as! String).contains("/ingest_date=") && (inputs[0]["name"] as! String).contains("/run_id="))
        let outputs = complete["outputs"] as! [[String: Any]]
        let names = outputs.map { $0["name"] as! String }
        #expect(names.first == "acme_portal.orders", "the silver table first: \(names)")
        #expect(names.contains { $0.hasPrefix("marts.") }, "the marts the run built: \(names)")
        let rows = ((outputs[0]["facets"] as! [String: Any])["ingestkit_rows"] as! [String: Any])
        #expect(rows["parsed"] as? Int == 120 && rows["inserted"] as? Int == 120)
        #expect(rows["rejected"] as? Int == 0 && rows["drift_keys"] as? Int == 0)
        let statistics = ((outputs[0]["outputFacets"] as! [String: Any])["outputStatistics"] as! [String: Any])
        #expect(statistics["rowCount"] as? Int == 120)

        let fail = events[3]
        let error = ((fail["run"] as! [String: Any])["facets"] as! [String: Any])["errorMessage"] as? [String: Any]
        #expect((error?["message"] as? String)?.contains("the load step has no bronze to read") == true, "\(fail)")

        for request in requests { #expect(!String(decoding: request.body, as: UTF8.self).contains(token)) }
        let file = folder + "/events.jsonl"
        try Data(requests.map { String(decoding: $0.body, as: UTF8.self) + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: file))
        let check = try Self.checkWithOpenLineagePython(file)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.split(separator: "\n").map { $0.split(separator: " ")[1] } == ["START", "COMPLETE", "START", "FAIL"])
    }

    @Test func openLineageEventsAppendToAFileAsJSONLines() async throws {
        let folder = try Ingestctl.workingDirectory("lineage")
        var env = try await Self.environment(.postgres, rows: 40, token: "tok-\(UUID().uuidString)")
        env["OPENLINEAGE_FILE"] = folder + "/lineage.jsonl"
        env["OPENLINEAGE_NAMESPACE"] = "acme-prod"
        for _ in 0..<2 {
            let run = try await Ingestctl.run(["run", "acme_portal.orders"], environment: env, in: folder)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let lines = try String(contentsOfFile: folder + "/lineage.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        let events = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(events.map { $0["eventType"] as? String } == ["START", "COMPLETE", "START", "COMPLETE"])
        let job = events[1]["job"] as! [String: Any]
        #expect(job["namespace"] as? String == "acme-prod")
        let outputs = events[1]["outputs"] as! [[String: Any]]
        #expect((outputs[0]["namespace"] as! String).hasPrefix("postgres://127.0.0.1:"))
        let rows = ((events[3]["outputs"] as! [[String: Any]])[0]["facets"] as! [String: Any])["ingestkit_rows"] as! [String: Any]
        #expect(rows["unchanged"] as? Int == 40, "the second run found every row unchanged")
        let check = try Self.checkWithOpenLineagePython(folder + "/lineage.jsonl")
        #expect(check.status == 0, "\(check.output)")
    }

    static func checkWithOpenLineagePython(_ file: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Monitoring.openLineagePython())
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/check-openlineage.py").path
        process.arguments = [script, file]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
