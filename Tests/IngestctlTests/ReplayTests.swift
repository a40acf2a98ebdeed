import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// `ingestctl bronze ls` and `ingestctl replay`, as a user runs them: stored runs are listed
/// with their provenance and parsed again, in their original order, with the source unreachable.
@Suite struct ReplayTests {
    func runId(_ folder: String, _ report: String) throws -> String {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/" + report))) as! [String: Any]
        return try #require(json["run_id"] as? String)
    }

    @Test(arguments: WarehouseKind.allCases)
    func replayRebuildsSilverFromBronzeWithTheSourceUnreachable(_ kind: WarehouseKind) async throws {
        let folder = try Ingestctl.workingDirectory("replay")
        let token = "replay-token-\(UUID().uuidString.prefix(6))"
        var env = ["ACME_PORTAL_DEMO_ROWS": "120", "ACME_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort()),
                   "ACME_PORTAL_API_TOKEN": token]
        if kind == .postgres { env["WAREHOUSE_URL"] = try await TestPlatform.freshDatabase() }
        var runs: [String] = []
        for revision in 0..<3 {
            env["ACME_PORTAL_DEMO_REVISION"] = String(revision)
            let run = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "extract,load", "--report", "r\(revision).json"],
                                        environment: env, in: folder)
            #expect(run.status == 0, "\(run.stderr)")
            runs.append(try runId(folder, "r\(revision).json"))
        }
        env["INGEST_HOME"] = folder + "/.ingest"
        let test = TestPlatform(kind: kind, home: folder, settings: Settings(values: env), platform: try Platform(settings: Settings(values: env)))
        // An extract that never finished: an artifact and no manifest.
        let layout = BronzeLayout(source: "acme_portal", dataset: "orders")
        try await test.platform.bronzeStore().put(key: layout.artifactKey(ingestDate: "2026-01-02", runId: "killed-run", artifactId: "page_00001",
                                                                          contentType: "application/json"),
                                                  bytes: Data("{}".utf8), contentType: "application/json", metadata: ["size": "2", "run-id": "killed-run"])

        let list = try await Ingestctl.run(["bronze", "ls", "acme_portal.orders"], environment: env, in: folder)
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.first == "run_id\tingest_date\tartifacts\tbytes\tcomplete")
        #expect(lines.count == 5)
        #expect(lines.contains { $0.hasPrefix("killed-run\t2026-01-02\t1\t2\tno") }, "\(list.stdout)")
        let json = try await Ingestctl.run(["bronze", "ls", "acme_portal.orders", "--output", "json"], environment: env, in: folder)
        let listed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        #expect(listed.filter { $0["complete"] as? Bool == true }.map { $0["run_id"] as? String } == runs, "oldest first")
        #expect(listed.filter { $0["complete"] as? Bool == true }.allSatisfy { $0["artifacts"] as? Int == 2 && ($0["bytes"] as? Int ?? 0) > 0 })
        let one = try await Ingestctl.run(["bronze", "ls", "acme_portal.orders", "--run", runs[1]], environment: env, in: folder)
        #expect(one.stdout.contains("run \(runs[1]) (complete)"))
        #expect(one.stdout.contains("page_00001\t") && one.stdout.contains("\tapi_json\t"), "\(one.stdout)")
        #expect(one.stdout.contains("/v1/orders?page=1"))
        #expect(!one.stdout.contains(token) && !json.stdout.contains(token))

        // Silver is lost; the source is unreachable. Replay rebuilds silver from bronze alone, in order.
        _ = try await test.withWarehouse { try await $0.execute("DELETE FROM acme_portal.orders") }
        env["ACME_PORTAL_BASE_URL"] = "http://127.0.0.1:\(try await Ingestctl.freePort())"
        let replay = try await Ingestctl.run(["replay", "acme_portal.orders", "--report", "replay.json"], environment: env, in: folder)
        #expect(replay.status == 0, "\(replay.stdout) \(replay.stderr)")
        #expect(replay.stdout.contains("replayed 3 stored run(s) in order: \(runs.joined(separator: ", "))"))
        #expect(replay.stdout.contains("360 parsed, 120 inserted, 24 updated, 216 unchanged"), "\(replay.stdout)")
        #expect(replay.stderr.contains("1 incomplete run(s) in bronze are not replayed"))
        let names = try await test.withWarehouse { try await $0.execute("SELECT title FROM acme_portal.orders WHERE entity_id = 'ORD-000010'") }
        #expect(names.first?["title"] == "Order 10 (rev 2)", "the last run wins")
        let records = try await test.withWarehouse { try await RunLedger($0.dialect).recent(source: "acme_portal", dataset: "orders", in: $0) }
        let replayed = try #require(records.first { $0.runId == (try? runId(folder, "replay.json")) })
        #expect(replayed.status == .succeeded)
        #expect(replayed.fromRuns == runs)
        #expect(replayed.counts.inserted == 120 && replayed.counts.artifacts == 6)

        // Issue 20 item 3: an older run again replays the runs stored after it too, in order (the whole suffix),
        // so no key goes back to an older value; the output says so.
        let suffix = try await Ingestctl.run(["replay", "acme_portal.orders", "--run", runs[1]], environment: env, in: folder)
        #expect(suffix.status == 0, "\(suffix.stderr)")
        #expect(suffix.stdout.contains("replayed 2 stored run(s) in order: \(runs[1]), \(runs[2])"), "\(suffix.stdout)")
        #expect(suffix.stdout.contains("240 parsed, 0 inserted, 24 updated, 216 unchanged"), "\(suffix.stdout)")
        let said = "replaying the whole suffix from run \(runs[1]): 1 later run(s) (\(runs[2])) are replayed too, in order"
        #expect(suffix.stderr.contains(said) && suffix.stdout.contains("notice: " + said), "\(suffix.stdout) \(suffix.stderr)")
        let kept = try await test.withWarehouse { try await $0.execute("SELECT title FROM acme_portal.orders WHERE entity_id = 'ORD-000010'") }
        #expect(kept.first?["title"] == "Order 10 (rev 2)", "the newest run still wins")

        // With --force, one run again: its revision comes back, and the output says older values may win.
        let single = try await Ingestctl.run(["replay", "acme_portal.orders", "--run", runs[1], "--force"], environment: env, in: folder)
        #expect(single.status == 0, "\(single.stderr)")
        #expect(single.stdout.contains("120 parsed, 0 inserted, 12 updated, 108 unchanged"), "\(single.stdout)")
        #expect(single.stderr.contains("replaying only the selected run(s) (--force): 1 later run(s) (\(runs[2])) are not replayed, "
                                       + "so values they loaded may be replaced by older ones"), "\(single.stderr)")
        let older = try await test.withWarehouse { try await $0.execute("SELECT title FROM acme_portal.orders WHERE entity_id = 'ORD-000010'") }
        #expect(older.first?["title"] == "Order 10 (rev 1)")

        let none = try await Ingestctl.run(["replay", "acme_portal.orders", "--since", "2099-01-01"], environment: env, in: folder)
        #expect(none.status != 0)
        #expect(none.stderr.contains("bronze holds no complete run of acme_portal.orders to replay"))
        let incomplete = try await Ingestctl.run(["replay", "acme_portal.orders", "--run", "killed-run"], environment: env, in: folder)
        #expect(incomplete.stderr.contains("run killed-run of acme_portal.orders is incomplete in bronze"))
        let since = try await Ingestctl.run(["replay", "acme_portal.orders", "--since", "2026-01-01", "--until", "2026-01-03"], environment: env, in: folder)
        #expect(since.status != 0, "only the incomplete run is in that range")
    }
}
