import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// `ingestctl prune` as a user runs it: a dry run lists what would go and deletes nothing; `--apply`
/// deletes it; bad arguments get a clear error.
@Suite struct PruneCommandTests {
    @Test func aDryRunCountsAndApplyDeletes() async throws {
        let folder = try Ingestctl.workingDirectory("prune")
        let env = ["ACME_PORTAL_DEMO_ROWS": "60", "ACME_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort()),
                   "ACME_PORTAL_API_TOKEN": "prune-token-\(UUID().uuidString.prefix(6))"]
        for _ in 0..<2 {
            let run = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "extract,load"], environment: env, in: folder)
            #expect(run.status == 0, "\(run.stderr)")
        }
        // A partition from long ago, and today's two runs (kept: they are newer than the cutoff).
        let old = folder + "/.ingest/lakehouse/bronze/acme_portal/dataset=orders/ingest_date=2020-01-01/run_id=old-run"
        try FileManager.default.createDirectory(atPath: old, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: old + "/page_00001.json"))
        try Data(#"{"size": "2"}"#.utf8).write(to: URL(fileURLWithPath: old + "/page_00001.json.meta.json"))

        let dry = try await Ingestctl.run(["prune", "acme_portal.orders", "--keep-days", "30", "--bronze"], environment: env, in: folder)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("acme_portal.orders\t-\t-\t-\t1\t1\t1\t2"), "\(dry.stdout)")
        #expect(dry.stdout.contains("dry run: nothing was deleted; run again with --apply to delete"))
        #expect(FileManager.default.fileExists(atPath: old + "/page_00001.json"))

        let applied = try await Ingestctl.run(["prune", "acme_portal.orders", "--keep-days", "30", "--bronze", "--apply", "--output", "json"],
                                        environment: env, in: folder)
        #expect(applied.status == 0, "\(applied.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(applied.stdout.utf8)) as? [String: Any])
        #expect(json["applied"] as? Bool == true && json["keep_days"] as? Int == 30)
        #expect(!FileManager.default.fileExists(atPath: old))
        let list = try await Ingestctl.run(["bronze", "ls", "acme_portal.orders"], environment: env, in: folder)
        #expect(list.stdout.split(separator: "\n").count == 3, "today's two runs stay: \(list.stdout)")

        // Ledger and rejects: nothing finished 30 days ago.
        let ledger = try await Ingestctl.run(["prune", "--keep-days", "30", "--ledger", "--rejects"], environment: env, in: folder)
        #expect(ledger.stdout.contains("acme_portal.orders\t0\t-\t0\t-"), "\(ledger.stdout)")

        let negative = try await Ingestctl.run(["prune", "--keep-days=-1"], environment: env, in: folder)
        #expect(negative.status == 2 && negative.stderr.contains("--keep-days -1 is negative"), "\(negative.stderr)")
    }
}
