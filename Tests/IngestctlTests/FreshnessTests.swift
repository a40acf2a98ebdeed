import Foundation
import IngestKit
import IngestTestSupport
import Testing

extension ObserveTests {
    /// Issue 9 item 6: `ingestctl freshness`, the newest row's age against the declared thresholds
    /// (acme_portal.orders: warn after 24 h, error after 48 h). Time passing is played by moving
    /// the rows' `ingested_at` back in the warehouse.
    @Suite struct FreshnessTests {
        @Test(arguments: WarehouseKind.allCases)
        func freshnessPassesWarnsAndFailsAsTheNewestRowAges(_ kind: WarehouseKind) async throws {
            let folder = try Ingestctl.workingDirectory("freshness")
            var env = ["ACME_PORTAL_DEMO_ROWS": "30", "ACME_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort()),
                       "INGEST_HOME": folder + "/.ingest"]
            if kind == .postgres { env["WAREHOUSE_URL"] = try await TestPlatform.freshDatabase() }
            let run = try await Ingestctl.run(["run", "acme_portal.orders"], environment: env, in: folder)
            #expect(run.status == 0, "\(run.stderr)")

            func freshness(_ arguments: [String] = ["acme_portal.orders", "--output", "json"]) async throws -> (Int32, [[String: Any]], Ingestctl.Result) {
                let result = try await Ingestctl.run(["freshness"] + arguments, environment: env, in: folder)
                let json = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [[String: Any]] ?? []
                return (result.status, json, result)
            }
            let (freshStatus, fresh, freshRun) = try await freshness()
            #expect(freshStatus == 0, "\(freshRun.stderr)")
            #expect(fresh.count == 1)
            #expect(fresh.first?["status"] as? String == "pass")
            #expect(fresh.first?["column"] as? String == "ingested_at")
            #expect(fresh.first?["table"] as? String == "acme_portal.orders")
            #expect(fresh.first?["warn_after_hours"] as? Double == 24 && fresh.first?["error_after_hours"] as? Double == 48)
            #expect(((fresh.first?["age_seconds"] as? Double) ?? -1) >= 0 && ((fresh.first?["age_seconds"] as? Double) ?? .infinity) < 3600)

            let platform = try Platform(settings: Settings(values: env))
            func age(hours: Double) async throws {
                let warehouse = try await platform.openWarehouse()
                let then = LocalTimestamp(Date().addingTimeInterval(-hours * 3600)).description
                _ = try await warehouse.execute("UPDATE \(warehouse.dialect.qualified("acme_portal", "orders")) SET \"ingested_at\" = \(warehouse.dialect.placeholder(1, .timestamp))",
                                                [.text(then)])
                await warehouse.close()
            }
            try await age(hours: 30)
            let (warnStatus, warn, _) = try await freshness()
            #expect(warnStatus == 0)
            #expect(warn.first?["status"] as? String == "warn")
            #expect((warn.first?["message"] as? String)?.contains("past the warn threshold of 24 h") == true, "\(warn)")

            try await age(hours: 50)
            let (errorStatus, error, _) = try await freshness()
            #expect(errorStatus == 1)
            #expect(error.first?["status"] as? String == "error")
            #expect((error.first?["message"] as? String)?.contains("past the error threshold of 48 h") == true, "\(error)")

            // All datasets as text: the stale one says ERROR; customers, never loaded and without thresholds, is unchecked.
            let (allStatus, _, all) = try await freshness([])
            #expect(allStatus == 1)
            let lines = all.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            #expect(lines.first?.prefix(2) == ["dataset", "status"])
            #expect(lines.contains { $0.first == "acme_portal.orders" && $0[1] == "ERROR" }, "\(all.stdout)")
            #expect(lines.contains { $0.first == "acme_portal.customers" && $0[1] == "UNCHECKED" && $0[3] == "-" }, "\(all.stdout)")
            #expect(lines.contains { $0.first == "talent_portal.vacatures" }, "\(all.stdout)")
        }

        @Test func anUnknownDatasetIsNamed() async throws {
            let folder = try Ingestctl.workingDirectory("freshness")
            let result = try await Ingestctl.run(["freshness", "acme_portal.nope"], environment: [:], in: folder)
            #expect(result.status == 2)
            #expect(result.stderr.contains("no dataset \"nope\""), "\(result.stderr)")
        }
    }
}
