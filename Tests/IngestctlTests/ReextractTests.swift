import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 20 item 5, as a user (or an Airflow "Clear" of the extract task) runs it: `--steps extract --run-id R`
/// again after R's load committed is refused, leaving R's bronze as it was, so `--from-run R` still rebuilds
/// silver from it; `--force` extracts it again.
@Suite struct ReextractTests {
    @Test(arguments: WarehouseKind.allCases)
    func extractingACommittedRunAgainIsRefusedWithoutForce(_ kind: WarehouseKind) async throws {
        let folder = try Ingestctl.workingDirectory("reextract")
        let env = try await Ingestctl.acmeDemoEnvironment(rows: 60, kind: kind)
        let first = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "extract,load", "--run-id", "R1"], environment: env, in: folder)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let stored = try await Ingestctl.run(["bronze", "ls", "acme_portal.orders", "--run", "R1"], environment: env, in: folder)
        #expect(stored.status == 0 && stored.stdout.contains("run R1 (complete)"), "\(stored.stdout)\(stored.stderr)")

        let again = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "extract", "--run-id", "R1"], environment: env, in: folder)
        #expect(again.status == 1, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("error: failed to start: run R1 of acme_portal.orders is already loaded: its load committed 60 rows from its bronze into silver"),
                "\(again.stdout)")
        #expect(again.stdout.contains("nothing was extracted or changed"), "\(again.stdout)")
        let after = try await Ingestctl.run(["bronze", "ls", "acme_portal.orders", "--run", "R1"], environment: env, in: folder)
        #expect(after.stdout == stored.stdout, "R1's bronze is as it was")

        let rebuilt = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "load", "--from-run", "R1"], environment: env, in: folder)
        #expect(rebuilt.status == 0, "\(rebuilt.stdout)\(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("rows: 60 parsed, 0 inserted, 0 updated, 60 unchanged"), "\(rebuilt.stdout)")

        let forced = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "extract", "--run-id", "R1", "--force"], environment: env, in: folder)
        #expect(forced.status == 0, "\(forced.stdout)\(forced.stderr)")
    }
}
